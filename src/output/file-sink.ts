import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Patch } from '../audio/joiner.js';
import { UsageError } from '../errors.js';
import type { AudioSink } from './audio-sink.js';

/**
 * Writes to a temporary file beside the target and renames it over the target on success, so a
 * failed or interrupted run leaves no half file and an existing file untouched.
 */
export class FileSink implements AudioSink {
  readonly seekable = true;
  readonly live = false;
  private position = 0;
  private done = false;

  private constructor(
    readonly path: string,
    private readonly tempPath: string,
    private readonly handle: FileHandle,
  ) {}

  /** Fails before any request is sent when the path cannot be written. */
  static async open(path: string): Promise<FileSink> {
    const existing = await stat(path).catch(() => undefined);
    if (existing?.isDirectory()) throw new UsageError(`Cannot write to ${path}: it is a directory`);
    const dir = dirname(path);
    const tempPath = join(dir, `.${basename(path)}.${randomBytes(4).toString('hex')}.part`);
    try {
      return new FileSink(path, tempPath, await open(tempPath, 'wx', 0o644));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? `the folder ${dir} does not exist` : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (error as Error).message;
      throw new UsageError(`Cannot write to ${path}: ${why}`, { cause: error });
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, offset, bytes.length - offset, this.position);
      offset += bytesWritten;
      this.position += bytesWritten;
    }
  }

  async patch(patches: readonly Patch[]): Promise<void> {
    for (const p of patches) await this.handle.write(p.bytes, 0, p.bytes.length, p.offset);
  }

  async commit(): Promise<void> {
    await this.handle.datasync();
    await this.handle.close();
    await rename(this.tempPath, this.path);
    this.done = true;
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.handle.close().catch(() => undefined);
    await unlink(this.tempPath).catch(() => undefined);
  }
}
