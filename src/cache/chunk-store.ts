import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rename, rm, stat, unlink, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

export class DiskCache implements ChunkStore {
  constructor(
    readonly dir: string,
    private readonly maxBytes: number,
  ) {}

  private entryPath(key: string): string {
    return join(this.dir, 'chunks', key.slice(0, 2), `${key}.audio`);
  }

  async lookup(key: string): Promise<string | undefined> {
    const path = this.entryPath(key);
    const found = await stat(path).catch(() => undefined);
    if (!found?.isFile()) return undefined;
    // Touch it, so pruning drops the least recently used entries first.
    const now = new Date();
    await utimes(path, now, now).catch(() => undefined);
    return path;
  }

  async partPath(key: string): Promise<string> {
    const dir = join(this.dir, 'parts');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return join(dir, `${key}.${randomBytes(4).toString('hex')}.part`);
  }

  async keep(key: string, partPath: string): Promise<string> {
    const path = this.entryPath(key);
    await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
    await rename(partPath, path);
    return path;
  }

  async discard(partPath: string): Promise<void> {
    await unlink(partPath).catch(() => undefined);
  }

  async release(): Promise<void> {}

  async close(): Promise<void> {
    await pruneCache(this.dir, this.maxBytes);
  }
}

export class ScratchStore implements ChunkStore {
  private dir: string | undefined;

  async lookup(): Promise<string | undefined> {
    return undefined;
  }

  async partPath(key: string): Promise<string> {
    this.dir ??= await mkdtemp(join(tmpdir(), 'tts-'));
    return join(this.dir, `${key}.${randomBytes(4).toString('hex')}.part`);
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

/** `tts cache clear`: everything goes, including parts left by a killed run. */
export async function clearCache(dir: string): Promise<{ files: number; bytes: number }> {
  const all = await entries(dir);
  await rm(join(dir, 'chunks'), { recursive: true, force: true });
  await rm(join(dir, 'parts'), { recursive: true, force: true });
  return { files: all.length, bytes: all.reduce((sum, e) => sum + e.size, 0) };
}

export async function cacheSize(dir: string): Promise<{ files: number; bytes: number }> {
  const all = await entries(dir);
  return { files: all.length, bytes: all.reduce((sum, e) => sum + e.size, 0) };
}
