import type { AudioJoiner } from './joiner.js';

/** One chunk in a container format: the server's stream is already one correct file. */
export class PassthroughJoiner implements AudioJoiner {
  push(bytes: Uint8Array): Uint8Array[] {
    return [bytes];
  }
  endChunk(): Uint8Array[] {
    return [];
  }
  finish() {
    return { tail: [], patches: [] };
  }
}
