import type { Writable } from 'node:stream';
import { AudioError } from '../errors.js';
import type { AudioSink } from './audio-sink.js';

/** Audio to stdout (`-o -`, or a pipe): written with back-pressure, so memory stays flat. */
export class StreamSink implements AudioSink {
  readonly seekable = false;
  readonly live = true;
  private failure: Error | undefined;

  constructor(private readonly stream: Writable) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      this.failure =
        error.code === 'EPIPE'
          ? new AudioError('The program reading the audio closed its input before the end', { cause: error })
          : new AudioError(`Cannot write audio: ${error.message}`, { cause: error });
    });
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.stream.write(bytes)) return;
    await new Promise<void>((resolve) => {
      const settle = (): void => {
        this.stream.off('drain', settle);
        this.stream.off('error', settle);
        this.stream.off('close', settle);
        resolve();
      };
      this.stream.once('drain', settle);
      this.stream.once('error', settle);
      this.stream.once('close', settle);
    });
    if (this.failure) throw this.failure;
  }

  async patch(): Promise<void> {
    // A pipe cannot seek back: its WAV header keeps the streaming sizes, which players accept.
  }

  async commit(): Promise<void> {
    if (this.failure) throw this.failure;
  }

  async abort(): Promise<void> {}
}
