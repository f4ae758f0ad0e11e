import { close, write } from 'node:fs';
import { promisify } from 'node:util';
import type { AudioSink } from './audio-sink.js';
import { writeError } from './write-error.js';

const writeTo = promisify(write);
const closeFd = promisify(close);

/**
 * Writes straight into an open descriptor that is not a pipe: a character device (`/dev/null`,
 * `/dev/full`) or a file the shell opened for us (`3>>log.mp3`, then `-o /dev/fd/3`). Each write
 * goes at the descriptor's own offset, so the shell's append mode holds; there is no seeking back,
 * so the output is treated like a pipe (streaming headers, no patches), and nothing to undo.
 */
export class DescriptorSink implements AudioSink {
  readonly seekable = false;
  readonly live = true;
  private closed = false;

  constructor(
    private readonly fd: number,
    private readonly options: {
      /** How messages name the output. */
      where: string;
      /** Whether the descriptor is ours to close at the end: never stdin, stdout or stderr. */
      closeAtEnd: boolean;
    },
  ) {}

  async write(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesWritten } = await writeTo(this.fd, bytes, offset, bytes.length - offset, null).catch((error: unknown) => {
        throw writeError(error, this.options.where);
      });
      offset += bytesWritten;
    }
  }

  async patch(): Promise<void> {
    // Never called: the output is not seekable.
  }

  async commit(): Promise<void> {
    await this.close();
  }

  async abort(): Promise<void> {
    await this.close();
  }

  private async close(): Promise<void> {
    if (this.closed || !this.options.closeAtEnd) return;
    this.closed = true;
    await closeFd(this.fd).catch(() => undefined);
  }
}
