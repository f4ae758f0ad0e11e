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
 * Turns the audio of chunks 1..N, fed in order, into one correct stream. Pure: bytes in, bytes out,
 * so every join is testable without files or sockets.
 */
export interface AudioJoiner {
  /** Bytes of the current chunk; returns what to write now. */
  push(bytes: Uint8Array): Uint8Array[];
  /** The current chunk is complete; the next push starts the next chunk. */
  endChunk(): Uint8Array[];
  finish(): JoinEnd;
  /** Seconds of audio joined so far, where the format says. */
  seconds(): number | undefined;
}
