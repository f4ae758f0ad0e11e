/** Bytes to write over earlier output once everything is known (e.g. a WAV header's sizes). */
export interface Patch {
  offset: number;
  bytes: Uint8Array;
}

export interface JoinEnd {
  tail: Uint8Array[];
  /** Applied only where the output can seek (a file); a pipe keeps the streaming header. */
  patches: Patch[];
}

/**
 * A place in the output as a player decodes it: samples per channel from the start, at the rate the
 * output decodes at (48 kHz for Opus, whatever its input rate), codec priming and padding included
 * exactly as ffmpeg decodes the finished file.
 */
export interface AudioPosition {
  samples: number;
  sampleRate: number;
}

/**
 * Whether the output can be written again at an earlier offset (a file, not a pipe): a joiner then
 * patches its header with the final sizes and counts once the audio is complete.
 */
export interface Seekable {
  seekable: boolean;
}

/**
 * Turns the audio of chunks 1..N, fed in order, into one correct stream, with exact silence between
 * them where asked. Pure: bytes in, bytes out, so every join is testable without files or sockets.
 *
 * Timeline: a chunk's span in the decoded output is [chunkStart(), position() after its endChunk()];
 * chunkStart() equals position() before the chunk's first push whenever that was defined. A pause's
 * span is [position() before, position() after] its silence().
 */
export interface AudioJoiner {
  /** Bytes of the current chunk; returns what to write now. */
  push(bytes: Uint8Array): Uint8Array[];
  /** The current chunk is complete; the next push starts the next chunk. */
  endChunk(): Uint8Array[];
  /**
   * Silence of `ms` at the current place, between chunks, in the output's own stream: exact to the
   * sample where the format allows, else rounded to whole frames (position() says what was made).
   * Asked before the stream's parameters are known (before the first chunk), it is made first as soon
   * as the first chunk shows them; asked after the last chunk, it ends the output.
   */
  silence(ms: number): Uint8Array[];
  finish(): JoinEnd;
  /**
   * How many samples a player decodes from everything written so far; once finish() is done, the
   * decoded length of the whole output. Undefined until the stream's parameters are known.
   */
  position(): AudioPosition | undefined;
  /** Where the current chunk (after endChunk(): the chunk just ended) starts; undefined before one has. */
  chunkStart(): AudioPosition | undefined;
  /** Seconds of audio joined so far: position() in seconds. */
  seconds(): number | undefined;
  /** A chapter starts here; joiners that write chapter marks (src/audio/tags) note the place. */
  chapter?(): void;
}

export function positionSeconds(position: AudioPosition | undefined): number | undefined {
  return position && position.samples / position.sampleRate;
}

/** Samples that `ms` of silence take at `sampleRate`, to the nearest sample. */
export function silenceSamples(ms: number, sampleRate: number): number {
  return Math.round((ms * sampleRate) / 1000);
}

/**
 * The state every joiner keeps for pauses and chunk spans: whether a chunk is open (silence can only
 * go between chunks, or frames and reservoirs would be cut), silence asked before the stream's
 * parameters were known, and where the current chunk began.
 */
export class JoinState {
  /** Silence asked for before the stream's parameters were known, to be made first. */
  pendingMs = 0;
  private open = false;
  private started: number | undefined;
  private startKnown = false;

  /** Called by silence(): refuses a pause that is no length, or one inside a chunk. */
  pause(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`a pause must be 0 ms or longer, not ${ms}`);
    if (this.open) throw new Error('silence() was called inside a chunk; it goes between chunks');
    return ms;
  }

  /** Called by push(); `now` is the current position in samples once the stream is known. */
  pushing(now: number | undefined): void {
    if (!this.open) {
      this.open = true;
      this.startKnown = false;
    }
    this.known(now);
  }

  /** The stream's parameters are known and any pending silence is made: the chunk starts at `now`. */
  known(now: number | undefined): void {
    if (this.open && !this.startKnown && now !== undefined) {
      this.started = now;
      this.startKnown = true;
    }
  }

  ended(): void {
    this.open = false;
  }

  chunkStart(sampleRate: number | undefined): AudioPosition | undefined {
    return this.started === undefined || sampleRate === undefined ? undefined : { samples: this.started, sampleRate };
  }
}
