import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parsePartName, partFileName, STALE_PART_AGE_MS, sweepStaleParts } from '../output/part-files.js';

/** Everything that changes the audio a provider returns for a chunk; never the key itself. */
export interface ChunkIdentity {
  provider: string;
  baseUrl: string;
  model: string;
  voice: string;
  format: string;
  speed: number | undefined;
  instructions: string | undefined;
  text: string;
}

export function chunkKey(identity: ChunkIdentity): string {
  const fields = [identity.provider, identity.baseUrl, identity.model, identity.voice, identity.format, identity.speed ?? null, identity.instructions ?? null, identity.text];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

/**
 * Where chunk audio lives while a run needs it. The cache keeps every finished chunk, so a rerun
 * after a failure or Ctrl-C asks only for what it lacks; scratch space (`--no-cache`) is removed at
 * the end of the run.
 */
export interface ChunkStore {
  /** A finished chunk's file, if one is kept. */
  lookup(key: string): Promise<string | undefined>;
  /** A fresh file to download a chunk into. */
  partPath(key: string): Promise<string>;
  /** The download is complete: keep it; returns where it now is. */
  keep(key: string, partPath: string): Promise<string>;
  /** Remove a part file that will never complete. */
  discard(partPath: string): Promise<void>;
  /** The run has written this chunk: scratch space frees it at once; the cache keeps it. */
  release(path: string): Promise<void>;
  /** The run is over: remove what is not worth keeping. */
  close(): Promise<void>;
}

/** What the cache tells the user: a folder it cannot use, an entry that failed its check. */
export interface CacheEvents {
  warn(message: string): void;
}

/**
 * The cache at `dir` when it can be written; otherwise, after one warning, scratch space for this
 * run only (as --no-cache): an unusable cache folder is no reason to refuse to speak.
 */
export async function openDiskCache(dir: string, maxBytes: number, events: CacheEvents): Promise<ChunkStore> {
  try {
    await mkdir(join(dir, 'chunks'), { recursive: true, mode: 0o700 });
    await mkdir(join(dir, 'parts'), { recursive: true, mode: 0o700 });
    // A folder can exist and still refuse files (its mode, a read-only mount): try one.
    const probe = join(dir, 'parts', partFileName('probe'));
    await writeFile(probe, '', { flag: 'wx', mode: 0o600 });
    await unlink(probe);
  } catch (error) {
    events.warn(`cannot use the cache folder ${dir} (${errorReason(error)}); going on without the cache`);
    return new ScratchStore();
  }
  return new DiskCache(dir, maxBytes, events);
}

/**
 * Finished chunks under `<dir>/chunks/<2 hex>/<key>.<sha256 of the audio>.audio`. The checksum in
 * the name is recorded when the chunk is kept and checked on every lookup, so a truncated or
 * garbled entry (a full disk, a crash, a stray edit) is never played: it is removed and fetched
 * again. One rename makes an entry appear whole, checksum included.
 */
export class DiskCache implements ChunkStore {
  /** Parts that could not be moved into the cache: used by this run, then removed. */
  private readonly unkept = new Set<string>();
  private warnedKeep = false;
  private warnedDamage = false;

  constructor(
    readonly dir: string,
    private readonly maxBytes: number,
    private readonly events: CacheEvents = { warn: () => undefined },
  ) {}

  private folder(key: string): string {
    return join(this.dir, 'chunks', key.slice(0, 2));
  }

  async lookup(key: string): Promise<string | undefined> {
    const folder = this.folder(key);
    for (const name of await readdir(folder).catch(() => [] as string[])) {
      const entry = parseEntryName(name, key);
      if (!entry) continue;
      const path = join(folder, name);
      if (entry.digest !== undefined && (await fileDigest(path)) === entry.digest) {
        // Touch it, so pruning drops the least recently used entries first.
        const now = new Date();
        await utimes(path, now, now).catch(() => undefined);
        return path;
      }
      // An entry from before checksums cannot be trusted either; it goes without a word.
      if (entry.digest !== undefined && !this.warnedDamage) this.events.warn('a cached chunk failed its checksum (damaged on disk); fetching it again');
      this.warnedDamage ||= entry.digest !== undefined;
      await unlink(path).catch(() => undefined);
    }
    return undefined;
  }

  async partPath(key: string): Promise<string> {
    const dir = join(this.dir, 'parts');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return join(dir, partFileName(key));
  }

  async keep(key: string, partPath: string): Promise<string> {
    try {
      const digest = await fileDigest(partPath);
      // No audio is not worth keeping: an empty entry would only ever play as 0:00.
      if (digest === undefined) throw new Error('the chunk is empty');
      const folder = this.folder(key);
      await mkdir(folder, { recursive: true, mode: 0o700 });
      const path = join(folder, entryName(key, digest));
      await rename(partPath, path);
      // A provider may answer the same request differently another time: one entry per key.
      for (const name of await readdir(folder).catch(() => [] as string[])) {
        if (name !== basename(path) && parseEntryName(name, key)) await unlink(join(folder, name)).catch(() => undefined);
      }
      return path;
    } catch (error) {
      if (!this.warnedKeep) this.events.warn(`cannot keep chunks in the cache (${errorReason(error)}); this run goes on without keeping them`);
      this.warnedKeep = true;
      this.unkept.add(partPath);
      return partPath;
    }
  }

  async discard(partPath: string): Promise<void> {
    this.unkept.delete(partPath);
    await unlink(partPath).catch(() => undefined);
  }

  async release(path: string): Promise<void> {
    if (this.unkept.delete(path)) await unlink(path).catch(() => undefined);
  }

  async close(): Promise<void> {
    await Promise.all([...this.unkept].map((path) => unlink(path).catch(() => undefined)));
    this.unkept.clear();
    await pruneCache(this.dir, this.maxBytes);
    await sweepStaleParts(join(this.dir, 'parts'), cachePartName, { minAgeMs: STALE_PART_AGE_MS });
  }
}

const HEX_64 = /^[0-9a-f]{64}$/;

function entryName(key: string, digest: string): string {
  return `${key}.${digest}.audio`;
}

/** Whether `name` is an entry of `key`, and the checksum it records (none for an older entry). */
function parseEntryName(name: string, key: string): { digest: string | undefined } | undefined {
  if (!name.startsWith(`${key}.`) || !name.endsWith('.audio')) return undefined;
  const middle = name.slice(key.length + 1, -'.audio'.length);
  if (middle === '') return { digest: undefined };
  return HEX_64.test(middle) ? { digest: middle } : undefined;
}

/** A part in `<dir>/parts`: `<key>.<pid>.<random>.part`. */
function cachePartName(name: string) {
  const key = name.slice(0, 64);
  return HEX_64.test(key) ? parsePartName(name, key) : undefined;
}

/** The SHA-256 of a file's bytes; undefined when it is empty or cannot be read. */
async function fileDigest(path: string): Promise<string | undefined> {
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const part of createReadStream(path)) {
      bytes += (part as Buffer).length;
      hash.update(part as Buffer);
    }
  } catch {
    return undefined;
  }
  return bytes > 0 ? hash.digest('hex') : undefined;
}

function errorReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'a file is in the way';
  if (code === 'EROFS') return 'read-only file system';
  return error instanceof Error ? error.message : String(error);
}

export class ScratchStore implements ChunkStore {
  private dir: string | undefined;

  async lookup(): Promise<string | undefined> {
    return undefined;
  }

  async partPath(key: string): Promise<string> {
    this.dir ??= await mkdtemp(join(tmpdir(), 'tts-'));
    return join(this.dir, partFileName(key));
  }

  async keep(_key: string, partPath: string): Promise<string> {
    return partPath;
  }

  async discard(partPath: string): Promise<void> {
    await unlink(partPath).catch(() => undefined);
  }

  async release(path: string): Promise<void> {
    await unlink(path).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

interface Entry {
  path: string;
  size: number;
  used: number;
}

async function entries(dir: string): Promise<Entry[]> {
  const root = join(dir, 'chunks');
  const found: Entry[] = [];
  for (const sub of await readdir(root).catch(() => [] as string[])) {
    for (const name of await readdir(join(root, sub)).catch(() => [] as string[])) {
      if (!name.endsWith('.audio')) continue;
      const path = join(root, sub, name);
      const info = await stat(path).catch(() => undefined);
      if (info?.isFile()) found.push({ path, size: info.size, used: info.mtimeMs });
    }
  }
  return found;
}

/** Drops the least recently used entries until the cache is under its cap. */
export async function pruneCache(dir: string, maxBytes: number): Promise<void> {
  const all = (await entries(dir)).sort((a, b) => b.used - a.used);
  let total = 0;
  for (const entry of all) {
    total += entry.size;
    if (total > maxBytes) await unlink(entry.path).catch(() => undefined);
  }
}

/**
 * `tts cache clear`: every entry goes, and every part left by a run that is over; never the parts
 * of a run still going, which would lose it the chunk it is fetching.
 */
export async function clearCache(dir: string): Promise<{ files: number; bytes: number }> {
  const all = await entries(dir);
  const folder = await stat(dir).catch(() => undefined);
  if (folder?.isDirectory()) {
    await rm(join(dir, 'chunks'), { recursive: true, force: true });
    await sweepStaleParts(join(dir, 'parts'), cachePartName, { minAgeMs: 0 });
  }
  return { files: all.length, bytes: all.reduce((sum, e) => sum + e.size, 0) };
}

export async function cacheSize(dir: string): Promise<{ files: number; bytes: number }> {
  const all = await entries(dir);
  return { files: all.length, bytes: all.reduce((sum, e) => sum + e.size, 0) };
}
