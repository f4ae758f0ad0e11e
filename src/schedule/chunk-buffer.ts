import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AudioError } from '../errors.js';
import { isNoRoom, writeError } from '../output/write-error.js';

const READ_SIZE = 64 * 1024;

const CHUNK_ROOM_HINT =
  'Chunks wait on disk while they are fetched: in the cache folder ($XDG_CACHE_HOME/tts), or with --no-cache in the temporary folder ($TMPDIR). Free some space there, or point that variable at another disk.';

export interface ReadOptions {
  /** Read while the chunk is still arriving: someone is listening. */
  follow: boolean;
  /** The audio is raw samples, so a retry may resume mid-chunk. */
  resumable?: boolean;
}

/**
 * One chunk's audio, kept in a file while it arrives, so chunks fetched ahead of the writer wait on
 * disk rather than in memory. A reader may follow it while it is still being written.
 */
export class ChunkBuffer {
  private length = 0;
  private state: 'open' | 'complete' | 'failed' = 'open';
  private failure: unknown;
  /** Set when the run stops: readers give up, while a download in flight may still finish. */
  private readerStop: unknown;
  /** Bumped when a retry starts the chunk over; a reader that already took bytes cannot follow. */
  private generation = 0;
  private wake: (() => void) | undefined;
  private closeWhenDone = false;

  private constructor(
    /** Where the audio is; updated when the store moves a finished chunk into the cache. */
    public path: string,
    private readonly handle: FileHandle,
  ) {}

  static async create(path: string): Promise<ChunkBuffer> {
    return new ChunkBuffer(path, await open(path, 'w+'));
  }

  /** A chunk already complete on disk (a cache hit). */
  static async existing(path: string): Promise<ChunkBuffer> {
    const handle = await open(path, 'r');
    const buffer = new ChunkBuffer(path, handle);
    buffer.length = (await handle.stat()).size;
    buffer.state = 'complete';
    return buffer;
  }

  async append(bytes: Uint8Array): Promise<void> {
    const at = this.length;
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, offset, bytes.length - offset, at + offset).catch((error: unknown) => {
        // The disk that filled up is the one chunks wait on, not the output's: say which.
        throw isNoRoom(error) ? writeError(error, `a chunk's audio in ${dirname(this.path)}`, { roomHint: CHUNK_ROOM_HINT }) : error;
      });
      offset += bytesWritten;
    }
    this.length += bytes.length;
    this.notify();
  }

  /** A retry begins: what the failed attempt wrote is discarded. */
  async restart(): Promise<void> {
    await this.handle.truncate(0);
    this.length = 0;
    this.generation++;
    this.notify();
  }

  complete(): void {
    this.state = 'complete';
    this.notify();
    if (this.closeWhenDone) void this.close();
  }

  fail(error: unknown): void {
    this.state = 'failed';
    this.failure = error;
    this.notify();
    if (this.closeWhenDone) void this.close();
  }

  /** Wakes every reader with `error`, without touching the download. */
  stopReaders(error: unknown): void {
    this.readerStop ??= error;
    this.notify();
  }

  /** Resolves once the chunk is complete; rejects if it failed. */
  async whenComplete(): Promise<void> {
    while (this.state === 'open' && this.readerStop === undefined) await this.changed();
    if (this.readerStop !== undefined) throw this.readerStop;
    if (this.state === 'failed') throw this.failure;
  }

  /**
   * The chunk's bytes, following the file while it grows when `follow` is set (else once it is
   * complete). If a retry starts the chunk over after some of it was read, raw samples (`resumable`)
   * carry on from the same byte offset of the new attempt: it speaks the same text, so nothing is
   * repeated or lost. A container cannot be resumed mid-stream.
   */
  async *read({ follow, resumable = false }: ReadOptions): AsyncGenerator<Uint8Array> {
    if (!follow) await this.whenComplete();
    let generation = this.generation;
    let offset = 0;
    for (;;) {
      if (this.readerStop !== undefined) throw this.readerStop;
      if (this.generation !== generation) {
        if (offset > 0 && !resumable) {
          throw new AudioError('The connection broke in the middle of a chunk that was already being played or piped', {
            hint: 'Rerun the same command: finished chunks are cached and will not be paid for again.',
          });
        }
        generation = this.generation;
      }
      if (offset < this.length) {
        const size = Math.min(READ_SIZE, this.length - offset);
        const chunk = Buffer.allocUnsafe(size);
        const { bytesRead } = await this.handle.read(chunk, 0, size, offset);
        offset += bytesRead;
        yield chunk.subarray(0, bytesRead);
        continue;
      }
      if (this.state === 'complete') return;
      if (this.state === 'failed') throw this.failure;
      await this.changed();
    }
  }

  /**
   * The reader is done with it. A download still under way keeps the file open until it ends: when a
   * run fails, the requests already sent still finish into the cache.
   */
  async close(): Promise<void> {
    if (this.state === 'open') {
      this.closeWhenDone = true;
      return;
    }
    await this.handle.close().catch(() => undefined);
  }

  /** Resolves at the next append, restart, end or stop. */
  private changed(): Promise<void> {
    return new Promise<void>((resolve) => (this.wake = chain(this.wake, resolve)));
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

const chain = (first: (() => void) | undefined, next: () => void): (() => void) =>
  first ? () => (first(), next()) : next;
