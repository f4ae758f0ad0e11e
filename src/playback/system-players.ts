import type { AudioFormat } from '../audio/formats.js';

/** A player program found on many systems that can play audio from its stdin. */
export interface SystemPlayer {
  name: string;
  args: readonly string[];
  /** What it can decode from stdin: a streaming WAV, or also compressed formats. */
  formats: readonly AudioFormat[];
}

const DECODES_ALL: readonly AudioFormat[] = ['wav', 'mp3', 'opus', 'flac', 'aac'];

/** Tried in this order after the built-in speaker; all read the stream from stdin. */
export const SYSTEM_PLAYERS: readonly SystemPlayer[] = [
  { name: 'paplay', args: [], formats: ['wav'] },
  { name: 'aplay', args: ['-q', '-'], formats: ['wav'] },
  { name: 'ffplay', args: ['-nodisp', '-autoexit', '-loglevel', 'error', '-i', '-'], formats: DECODES_ALL },
  { name: 'mpv', args: ['--no-terminal', '--no-video', '--cache=no', '-'], formats: DECODES_ALL },
];
