import type { AudioFormat } from '../audio/formats.js';
import type { Patch } from '../audio/joiner.js';

/** Where the joined audio goes. Nothing is visible at a file's path until `commit`. */
export interface AudioSink {
  /** A file can take patches (exact WAV sizes); a pipe cannot. */
  readonly seekable: boolean;
  /** Whether a listener is waiting on the bytes (a pipe, the speakers), so latency matters. */
  readonly live: boolean;
  write(bytes: Uint8Array): Promise<void>;
  patch(patches: readonly Patch[]): Promise<void>;
  commit(): Promise<void>;
  /** Told once, before any write, which format it will get (a player picks a program that decodes it). */
  accept?(format: AudioFormat): void;
  /** The output now holds this many seconds of audio (a player uses it to know what is heard). */
  progress?(seconds: number): void;
  /** Undo everything: no file at the path, no temporary file left. Safe to call twice. */
  abort(): Promise<void>;
}
