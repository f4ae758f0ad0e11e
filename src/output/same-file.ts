import { fstat, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { UsageError } from '../errors.js';

const fstatFd = promisify(fstat);

/** Where the text is read from, as `readText` is told. */
export interface TextInput {
  args: readonly string[];
  file: string | undefined;
  /** The process's stdin carries `fd` (0): it may be `< notes.txt`. */
  stdin: object;
}

/**
 * Refuses to write the audio over the text being read: `-f notes.txt -o notes.txt`, or the same file
 * by another name (a symbolic link, a hard link, `./notes.txt`, stdin redirected from it). Files are
 * compared by device and inode, so no spelling of the path escapes it.
 */
export async function refuseInputAsOutput(input: TextInput, output: string): Promise<void> {
  const [read, written] = await Promise.all([identity(input), stat(output).catch(() => undefined)]);
  if (!read || !written) return;
  // Devices are shared by design (`-f /dev/stdin -o /dev/stdout` can be two different pipes).
  if (!(read.isFile() || read.isFIFO()) || read.dev !== written.dev || read.ino !== written.ino) return;
  const name = input.file !== undefined && input.file !== '-' ? input.file : 'stdin';
  throw new UsageError(`Not writing the audio to ${output}: it is the text being read (${name})`, {
    hint: 'Give -o another file name, e.g. speech.mp3.',
  });
}

async function identity(input: TextInput): Promise<Stats | undefined> {
  if (input.args.length > 0) return undefined;
  if (input.file !== undefined && input.file !== '-') return stat(input.file).catch(() => undefined);
  const fd = (input.stdin as { fd?: unknown }).fd;
  return typeof fd === 'number' ? fstatFd(fd).catch(() => undefined) : undefined;
}
