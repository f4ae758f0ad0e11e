import type { CueTime } from './align-cues.js';

/** One cue to time: its text as written, and whether it ends a sentence. */
export interface CueText {
  text: string;
  endsSentence: boolean;
}

/** One request's audio and the cues it speaks. */
export interface AlignJob {
  /**
   * The request's audio as 16-bit mono PCM: its samples, their little-endian bytes, or the path of
   * a file holding them (raw, or a WAV file). A path keeps the audio out of the calling thread: the
   * worker reads it. Samples and bytes are copied to the worker once and dropped after the job.
   */
  pcm: Int16Array | Uint8Array | string;
  /** The rate of raw PCM; a WAV file states its own. 24 kHz, as OpenAI sends `pcm`, by default. */
  sampleRate?: number;
  cues: readonly CueText[];
  /** The eSpeak voice the reference is spoken with; the aligner's own voice by default. */
  voice?: string;
  /** The pace the request was spoken at (as --speed): the reference is spoken at the same pace. */
  speed?: number | undefined;
}

/** What the calling thread sends the worker. */
export interface WorkerJob {
  id: number;
  pcm: Int16Array | Uint8Array | string;
  sampleRate: number;
  cues: readonly CueText[];
  voice: string;
  wordsPerMinute: number;
}

/** What the worker answers. */
export type WorkerAnswer =
  | { id: number; ok: true; cues: CueTime[] }
  | { id: number; ok: false; kind: 'usage' | 'audio'; message: string; hint?: string };
