import type { AudioFormat } from '../audio/formats.js';
import type { PlannedRequest } from '../plan/plan-requests.js';

/**
 * Where each part of the plan landed in the output, in seconds of the output as a player decodes it.
 * Sinks that deal in time (subtitles, chapter marks, the player's display) receive these in output
 * order, as the audio is written.
 */
export type TimelineEvent =
  | { kind: 'request'; request: PlannedRequest; start: number; end: number }
  | { kind: 'pause'; start: number; end: number }
  | { kind: 'chapter'; index: number; title: string; start: number }
  | { kind: 'mark'; name: string; at: number };

/** A consumer of the timeline. Like an AudioSink, it shows nothing until the run succeeds. */
export interface TimelineSink {
  /**
   * Looks at the audio itself (to align text to it), so it wants raw samples from the server:
   * pcm, or wav, which the run then encodes to the output's format here.
   */
  readonly wantsSamples?: boolean;
  /** Told once, before any event, what the server sends. */
  start?(wire: AudioFormat): void;
  /**
   * The server's bytes of the request being written, before the joiners (the wire format), for
   * sinks that look at the audio itself. Called before that request's event.
   */
  audio?(bytes: Uint8Array): void;
  /** Awaited: a sink that falls behind holds the writer back, so its memory stays bounded. */
  event(event: TimelineEvent): Promise<void> | void;
  /** Everything is written: `end` is the output's length in seconds. */
  finish(end: number): Promise<void>;
  commit(): Promise<void>;
  /** Undo everything; safe to call twice. */
  abort(): Promise<void>;
}
