import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DiskCache } from '../../src/cache/chunk-store.js';
import { fakePcm, type FakeProvider } from '../helpers/fake-provider.js';
import { runTts, type Sandbox, useFakeProvider } from '../helpers/run-tts.js';
import { deadPid, isRoot, mountTmpfs, partFiles, unmount } from '../helpers/spawn-bin.js';

let fake: FakeProvider;
let box: Sandbox;
useFakeProvider((f, b) => ((fake = f), (box = b)));

const TEXT = 'A chunk worth keeping.';
const env = (extra: Record<string, string> = {}) => ({ ...box.env, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.url, ...extra });
const speak = (out: string, extra: Record<string, string> = {}) => runTts([TEXT, '-o', box.path(out)], { env: env(extra) });
const cacheDir = () => join(box.env['XDG_CACHE_HOME']!, 'tts');
const cacheParts = () => join(cacheDir(), 'parts');
/** The one entry the first run kept. */
const entry = (): string => {
  const chunks = join(cacheDir(), 'chunks');
  const [sub] = readdirSync(chunks);
  const [name] = readdirSync(join(chunks, sub!));
  return join(chunks, sub!, name!);
};

describe('a cached chunk is checked before it is trusted', () => {
  test.each([
    ['truncated', (path: string) => writeFileSync(path, readFileSync(path).subarray(0, 100))],
    ['garbled (same size)', (path: string) => writeFileSync(path, Buffer.alloc(statSync(path).size, 0x55))],
    ['emptied', (path: string) => writeFileSync(path, '')],
  ])('%s: a warning, the chunk fetched again, the right audio', async (_name, damage) => {
    expect((await speak('first.pcm')).code).toBe(0);
    damage(entry());
    const r = await speak('second.pcm');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: a cached chunk failed its checksum \(damaged on disk\); fetching it again/);
    expect(fake.requests).toHaveLength(2);
    expect(readFileSync(box.path('second.pcm')).equals(fakePcm(TEXT))).toBe(true);
    // The new copy is kept and trusted: a third run asks nothing.
    expect((await speak('third.pcm')).code).toBe(0);
    expect(fake.requests).toHaveLength(2);
  });

  test('an entry with no checksum (from an older tts) is not trusted either', async () => {
    expect((await speak('first.pcm')).code).toBe(0);
    const path = entry();
    const legacy = join(dirname(path), `${basename(path).split('.')[0]}.audio`);
    renameSync(path, legacy);
    writeFileSync(legacy, Buffer.alloc(50));
    expect((await speak('second.pcm')).code).toBe(0);
    expect(fake.requests).toHaveLength(2);
    expect(readFileSync(box.path('second.pcm')).equals(fakePcm(TEXT))).toBe(true);
  });

  test('an entry is named <key>.<sha256 of its audio>.audio, and checked against it on lookup', async () => {
    const cache = new DiskCache(box.path('c'), 1024 ** 2);
    const key = 'ab'.repeat(32);
    const part = await cache.partPath(key);
    writeFileSync(part, 'audio bytes');
    const kept = await cache.keep(key, part);
    const sha = createHash('sha256').update('audio bytes').digest('hex');
    expect(kept).toBe(join(box.path('c'), 'chunks', 'ab', `${key}.${sha}.audio`));
    expect(await cache.lookup(key)).toBe(kept);
    writeFileSync(kept, 'audio bytez');
    expect(await cache.lookup(key)).toBeUndefined();
    expect(readdirSync(join(box.path('c'), 'chunks', 'ab'))).toEqual([]);
  });
});

describe('a cache folder that cannot be used: one warning, and the run goes on without it', () => {
  const goesOn = async (extra: Record<string, string> = {}) => {
    const r = await speak('out.pcm', extra);
    expect(r.stderr.match(/warning: cannot use the cache folder .*; going on without the cache/g)).toHaveLength(1);
    expect(r.code).toBe(0);
    expect(readFileSync(box.path('out.pcm')).equals(fakePcm(TEXT))).toBe(true);
  };

  test('a file where the folder should be', async () => {
    mkdirSync(box.env['XDG_CACHE_HOME']!);
    writeFileSync(cacheDir(), 'not a folder');
    await goesOn();
    expect(readFileSync(cacheDir(), 'utf8')).toBe('not a folder');
    const info = await runTts(['cache', 'info'], { env: env() });
    expect(info.code).toBe(0);
    expect(info.stdout.toString()).toBe(`${cacheDir()}\n0 chunks, 0.0 MiB\n`);
  });

  test('XDG_CACHE_HOME itself a file', async () => {
    writeFileSync(box.path('cache-file'), '');
    await goesOn({ XDG_CACHE_HOME: box.path('cache-file') });
  });

  test('a folder nobody may write (read-only)', async (context) => {
    mkdirSync(cacheDir(), { recursive: true });
    if (isRoot) {
      // Root writes through any mode: a read-only mount is what stops it.
      if (!mountTmpfs(cacheDir(), 64, { readOnly: true })) return context.skip();
    } else {
      chmodSync(cacheDir(), 0o500);
    }
    try {
      await goesOn();
    } finally {
      if (isRoot) unmount(cacheDir());
      else chmodSync(cacheDir(), 0o700);
    }
    expect(partFiles(box.dir)).toEqual([]);
  });
});

test('tts cache info counts kept chunks', async () => {
  expect((await speak('a.pcm')).code).toBe(0);
  const info = await runTts(['cache', 'info'], { env: env() });
  expect(info.stdout.toString()).toMatch(/^.*\n1 chunk, 0\.0 MiB\n$/);
});

describe('parts left in the cache by a killed run', () => {
  const hourAgo = new Date(Date.now() - 3600_000);
  const key = (c: string) => c.repeat(64);
  const part = (name: string, age = hourAgo): string => {
    mkdirSync(cacheParts(), { recursive: true });
    writeFileSync(join(cacheParts(), name), 'partial');
    utimesSync(join(cacheParts(), name), age, age);
    return join(cacheParts(), name);
  };

  test('a later run sweeps those whose owner is gone; a live run\'s and young ones stay', async () => {
    const dead = deadPid();
    part(`${key('a')}.${dead}.0123abcd.part`);
    part(`${key('b')}.89abcdef.part`);
    const kept = [part(`${key('c')}.${process.pid}.0123abcd.part`), part(`${key('d')}.${dead}.0123abcd.part`, new Date()), part('notes.txt')];
    expect((await speak('out.pcm')).code).toBe(0);
    expect(partFiles(cacheParts()).sort()).toEqual(kept.filter((p) => p.endsWith('.part')).sort());
    expect(readFileSync(kept[2]!, 'utf8')).toBe('partial');
  });

  test('tts cache clear removes every entry and every part but those of a run still going', async () => {
    expect((await speak('out.pcm')).code).toBe(0);
    const live = part(`${key('c')}.${process.pid}.0123abcd.part`, new Date());
    part(`${key('a')}.${deadPid()}.0123abcd.part`, new Date());
    const r = await runTts(['cache', 'clear'], { env: env() });
    expect(r.stderr).toMatch(/Removed 1 cached chunk /);
    expect(partFiles(join(box.env['XDG_CACHE_HOME']!, 'tts'))).toEqual([live]);
  });
});
