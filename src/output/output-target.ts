import type { Stats } from 'node:fs';
import { lstat, readlink, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';

/**
 * What `-o <path>` names once symbolic links are followed:
 * - `file`: a regular file (or none yet), replaced atomically; `path` is the link's target, so the
 *   link itself is kept;
 * - `descriptor`: one of this process's open descriptors (`/dev/stdout`, `/dev/fd/N` as `>(cmd)`
 *   makes, `/proc/self/fd/N`), written as it is, sharing the shell's offset and append mode;
 * - `device`: a character device (`/dev/null`, `/dev/full`), written straight into;
 * - `fifo`: a named pipe, written straight into once a reader opens it.
 */
export type OutputTarget =
  | { kind: 'file'; path: string; existing: Stats | undefined }
  | { kind: 'descriptor'; fd: number }
  | { kind: 'device'; path: string }
  | { kind: 'fifo'; path: string };

/** As the kernel's own limit on links followed in one lookup (Linux's MAXSYMLINKS). */
const MAX_LINKS = 40;
const STDIO: Readonly<Record<string, number>> = { '/dev/stdin': 0, '/dev/stdout': 1, '/dev/stderr': 2 };

/** The descriptor number when `path` names one of this process's own descriptors. */
export function ownDescriptor(path: string, pid: number = process.pid): number | undefined {
  if (path in STDIO) return STDIO[path];
  const match = /^\/(?:dev\/fd|proc\/(?:self|thread-self|(\d+))\/fd)\/(\d+)$/.exec(path);
  if (!match || (match[1] !== undefined && Number(match[1]) !== pid)) return undefined;
  return Number(match[2]);
}

/** Follows `path` to what it names, refusing what audio must not be written over. */
export async function resolveOutputTarget(path: string): Promise<OutputTarget> {
  let current = resolve(path);
  for (let hop = 0; hop <= MAX_LINKS; hop++) {
    const fd = ownDescriptor(current);
    if (fd !== undefined) return { kind: 'descriptor', fd };
    const info = await lstat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw cannotWrite(path, error);
    });
    // Nothing there yet (or a link to nothing): a new file, created where the link points.
    if (!info) return { kind: 'file', path: current, existing: undefined };
    if (!info.isSymbolicLink()) return classify(path, current, info);
    const target = await readlink(current);
    // /proc/<pid>/fd/N of another process links to "pipe:[1234]", not a path: open it as it is.
    if (current.startsWith('/proc/') && !target.startsWith('/')) return classify(path, current, await stat(current));
    current = resolve(dirname(current), target);
  }
  throw new UsageError(`Cannot write to ${path}: too many levels of symbolic links`);
}

function classify(asked: string, path: string, info: Stats): OutputTarget {
  if (info.isFile()) return { kind: 'file', path, existing: info };
  if (info.isCharacterDevice()) return { kind: 'device', path };
  if (info.isFIFO()) return { kind: 'fifo', path };
  if (info.isDirectory()) throw new UsageError(`Cannot write to ${asked}: it is a directory`);
  if (info.isBlockDevice()) {
    throw new UsageError(`Not writing audio over ${asked}: it is a block device (a disk)`, { hint: 'Give -o a file name.' });
  }
  throw new UsageError(`Cannot write to ${asked}: it is a socket`, { hint: 'Give -o a file name, or - and pipe it.' });
}

export function cannotWrite(path: string, error: unknown): UsageError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT' ? `the folder ${dirname(resolve(path))} does not exist`
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'ENOTDIR' ? 'a part of the path is not a folder'
    : code === 'EROFS' ? 'the file system is read-only'
    : (error as Error).message;
  return new UsageError(`Cannot write to ${path}: ${why}`, { cause: error });
}
