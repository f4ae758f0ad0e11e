import type { AudioJoiner } from '../audio/joiner.js';
import type { AudioSink } from '../output/audio-sink.js';

export interface JoinedOutput {
  sink: AudioSink;
  joiner: AudioJoiner;
}

/**
 * Every place the audio goes, each with its own joiner, fed the same server bytes in order. The
 * first output is the primary one: its length and size are what the run reports, and its time is
 * the timeline's.
 */
export class OutputSet {
  /** Bytes written to the primary output. */
  bytes = 0;

  constructor(private readonly outputs: readonly JoinedOutput[]) {}

  async push(bytes: Uint8Array): Promise<void> {
    for (const output of this.outputs) await this.write(output, output.joiner.push(bytes));
  }

  async endChunk(): Promise<void> {
    for (const output of this.outputs) await this.write(output, output.joiner.endChunk());
  }

  /** Exact silence of `ms` in every output, made inside each one's stream. */
  async silence(ms: number): Promise<void> {
    for (const output of this.outputs) await this.write(output, output.joiner.silence(ms));
  }

  /** A chapter starts here, in every output that marks chapters. */
  chapter(): void {
    for (const output of this.outputs) output.joiner.chapter?.();
  }

  /** Seconds of the primary output so far, as a player decodes it (0 before its stream is known). */
  seconds(): number {
    return this.outputs[0]?.joiner.seconds() ?? 0;
  }

  /** Where the request just joined starts in the primary output: after any pause made before it. */
  chunkStart(): number {
    const start = this.outputs[0]?.joiner.chunkStart();
    return start ? start.samples / start.sampleRate : 0;
  }

  async finish(): Promise<void> {
    for (const output of this.outputs) {
      const end = output.joiner.finish();
      await this.write(output, end.tail);
      if (output.sink.seekable) await output.sink.patch(end.patches);
    }
  }

  /** Commits the outputs that are (or are not) live: files and pipes are committed apart from players. */
  async commit(which: { live: boolean }): Promise<void> {
    for (const { sink } of this.outputs) if (sink.live === which.live) await sink.commit();
  }

  private async write(output: JoinedOutput, pieces: Uint8Array[]): Promise<void> {
    for (const bytes of pieces) {
      if (output === this.outputs[0]) this.bytes += bytes.length;
      await output.sink.write(bytes);
    }
    if (pieces.length > 0) output.sink.progress?.(output.joiner.seconds() ?? 0);
  }
}
