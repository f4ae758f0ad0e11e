import { constants, type Stats } from 'node:fs';
import { access, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Patch } from '../audio/joiner.js';
import type { AudioSink } from './audio-sink.js';
import { UsageError } from '../errors.js';
import { cannotWrite, resolveOutputTarget } from './output-target.js';
import { parsePartName, partFileName, STALE_PART_AGE_MS, sweepStaleParts } from './part-files.js';
import { writeError } from './write-error.js';

/**
 * Writes to a temporary file beside the target and renames it over the target on success, so a
 * failed or interrupted run leaves no half file and an existing file untouched. The new file keeps
 * the old one's mode (and owner, where we may set it): replacing a 0600 file must not expose it.
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

  /**
   * `path` as the user gave it: symbolic links are followed to the file they name, which must be a
   * regular file or nothing yet (`openOutput` also takes devices and pipes). Fails before any
   * request is sent when it cannot be written.
   */
  static async open(path: string): Promise<FileSink> {
    const target = await resolveOutputTarget(path);
    if (target.kind !== 'file') throw new UsageError(`Cannot write to ${path}: it is not a regular file`);
    return FileSink.create(target.path, target.existing);
  }

  /** `path` is a regular file or nothing yet, links already followed; `existing` is what is there now. */
  static async create(path: string, existing: Stats | undefined): Promise<FileSink> {
    const dir = dirname(path);
    const stem = `.${basename(path)}`;
    // Parts of this output left by a run that was killed; never those of a run still going.
    await sweepStaleParts(dir, (name) => parsePartName(name, stem), { minAgeMs: STALE_PART_AGE_MS });
    const tempPath = join(dir, partFileName(stem));
    let handle: FileHandle;
    try {
      // A file the user may not write is not replaced either, just as `>` would refuse it.
      if (existing) await access(path, constants.W_OK);
      // A new file gets what the umask allows, as a shell's `>` would give it.
      handle = await open(tempPath, 'wx', existing ? existing.mode & 0o7777 : 0o666);
    } catch (error) {
      throw cannotWrite(path, error);
    }
    if (existing) await keepOwnership(handle, existing);
    return new FileSink(path, tempPath, handle);
  }

  async write(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, offset, bytes.length - offset, this.position).catch((error: unknown) => {
        throw writeError(error, this.path);
      });
      offset += bytesWritten;
      this.position += bytesWritten;
    }
  }

  async patch(patches: readonly Patch[]): Promise<void> {
    try {
      for (const p of patches) await this.handle.write(p.bytes, 0, p.bytes.length, p.offset);
    } catch (error) {
      throw writeError(error, this.path);
    }
  }

  async commit(): Promise<void> {
    try {
      // A full disk may only show when the data reaches it: before the rename, never after.
      await this.handle.datasync();
      await this.handle.close();
      await rename(this.tempPath, this.path);
    } catch (error) {
      throw writeError(error, this.path);
    }
    this.done = true;
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.handle.close().catch(() => undefined);
    await unlink(this.tempPath).catch(() => undefined);
  }
}

/** The open() mode is cut by the umask, and the file is ours: give it the old file's mode and owner. */
async function keepOwnership(handle: FileHandle, existing: Stats): Promise<void> {
  // Only root may give a file away; anyone else keeps a file of their own, as an editor would.
  // Before chmod: a chown clears set-id bits.
  if (process.getuid?.() === 0 && (existing.uid !== 0 || existing.gid !== 0)) {
    await handle.chown(existing.uid, existing.gid).catch(() => undefined);
  }
  await handle.chmod(existing.mode & 0o7777).catch(() => undefined);
}
