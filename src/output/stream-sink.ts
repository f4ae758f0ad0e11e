import type { Writable } from 'node:stream';
import { AudioError, InterruptedError } from '../errors.js';
import type { AudioSink } from './audio-sink.js';
import { writeError } from './write-error.js';

export interface StreamSinkOptions {
  /** How messages name the output: 'stdout', or the pipe's path. */
  where?: string;
  /** Ctrl-C: a write waiting on a reader that stopped reading gives up at once. */
  signal?: AbortSignal | undefined;
  /** A pipe we opened ourselves is ended at commit, so its reader sees the end; stdout is not. */
  owned?: boolean;
}

/** Audio to stdout or a named pipe: written with back-pressure, so memory stays flat. */
export class StreamSink implements AudioSink {
  readonly seekable = false;
  readonly live = true;
  private failure: Error | undefined;
  private readonly where: string;

  constructor(
    private readonly stream: Writable,
    private readonly options: StreamSinkOptions = {},
  ) {
    this.where = options.where ?? 'stdout';
    stream.on('error', (error: NodeJS.ErrnoException) => {
      this.failure ??=
        error.code === 'EPIPE'
          ? new AudioError('The program reading the audio closed its input before the end', { cause: error })
          : writeError(error, this.where);
    });
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.check();
    if (this.stream.write(bytes)) return;
    await this.settle('drain');
    this.check();
  }

  async patch(): Promise<void> {
    // A pipe cannot seek back: its WAV header keeps the streaming sizes, which players accept.
  }

  async commit(): Promise<void> {
    this.check();
    if (!this.options.owned) return;
    // The reader has all of it only once the last bytes left: a failure here is still a failure.
    const finished = this.settle('finish');
    this.stream.end();
    await finished;
    this.check();
  }

  async abort(): Promise<void> {
    if (this.options.owned) this.stream.destroy();
  }

  private check(): void {
    if (this.failure) throw this.failure;
    if (this.options.signal?.aborted) throw new InterruptedError();
  }

  /** Resolves at `event`, an error, the stream's close, or Ctrl-C, whichever comes first. */
  private settle(event: 'drain' | 'finish'): Promise<void> {
    return new Promise<void>((resolve) => {
      const signal = this.options.signal;
      if (this.stream.destroyed || signal?.aborted) return resolve();
      const done = (): void => {
        this.stream.off(event, done);
        this.stream.off('error', done);
        this.stream.off('close', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.stream.once(event, done);
      this.stream.once('error', done);
      this.stream.once('close', done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
