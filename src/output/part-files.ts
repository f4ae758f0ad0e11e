import { randomBytes } from 'node:crypto';
import { lstat, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A part file nobody has written for this long, and whose owner is gone, is a leftover of a run that
 * was killed. The age guards against an owner we cannot check: a part named before pids were
 * recorded, or one written by another machine sharing the folder (its pid means nothing here). A
 * live run's part is never older than this while it waits on the provider, unless a retry is told to
 * wait longer; then its pid, still alive, keeps it.
 */
export const STALE_PART_AGE_MS = 10 * 60 * 1000;

/** `<stem>.<pid>.<random>.part`: the pid tells a later run whether the owner still runs. */
export function partFileName(stem: string, pid: number = process.pid): string {
  return `${stem}.${pid}.${randomBytes(4).toString('hex')}.part`;
}

export interface PartName {
  /** The process that wrote it; undefined for a part named by an older version of tts. */
  owner: number | undefined;
}

const PART_TAIL = /^(?:(\d{1,10})\.)?[0-9a-f]{8}\.part$/;

/** What a file name says when it is a part of `stem` (`<stem>.<pid>.<random>.part`), else undefined. */
export function parsePartName(name: string, stem: string): PartName | undefined {
  if (!name.startsWith(`${stem}.`)) return undefined;
  const match = PART_TAIL.exec(name.slice(stem.length + 1));
  if (!match) return undefined;
  return { owner: match[1] === undefined ? undefined : Number(match[1]) };
}

export interface StaleRule {
  /** Parts younger than this are kept whoever owns them. */
  minAgeMs: number;
  /** Whether a process with this pid runs on this machine. */
  alive(pid: number): boolean;
}

/** Pure: whether a part may be removed, given its owner and age. */
export function isStalePart(part: PartName & { ageMs: number }, rule: StaleRule): boolean {
  if (part.ageMs < rule.minAgeMs) return false;
  return part.owner === undefined || !rule.alive(part.owner);
}

/** Whether `pid` is a running process on this machine (one of another user's counts). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the stale parts in `dir` that `match` recognises; returns how many went. Never fails: a
 * folder that cannot be read or a part that cannot be removed is left for another time.
 */
export async function sweepStaleParts(
  dir: string,
  match: (name: string) => PartName | undefined,
  options: { minAgeMs: number; alive?: (pid: number) => boolean; now?: number },
): Promise<number> {
  const rule: StaleRule = { minAgeMs: options.minAgeMs, alive: options.alive ?? processAlive };
  const now = options.now ?? Date.now();
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const part = match(name);
    if (!part) continue;
    const path = join(dir, name);
    const info = await lstat(path).catch(() => undefined);
    if (!info?.isFile() || !isStalePart({ ...part, ageMs: now - info.mtimeMs }, rule)) continue;
    await unlink(path).then(
      () => removed++,
      () => undefined,
    );
  }
  return removed;
}
