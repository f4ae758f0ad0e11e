import { fstat, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { UsageError } from '../errors.js';

const fstatFd = promisify(fstat);

/** Everything a run reads from files: its text and its lexicon. */
export interface RunInputs {
  /** Text given as arguments: no text file is read. */
  args: readonly string[];
  /** The text files, in order; `-` (or none at all) is stdin. */
  files: readonly string[];
  /** `--lexicon`, read from its file (or `-`, stdin). */
  lexicon: string | undefined;
  /** The process's stdin carries `fd` (0): it may be `< notes.txt`. */
  stdin: object;
}

/** A path the run writes, and what it writes there, as a refusal names it. */
export interface WrittenPath {
  path: string;
  what: 'the audio' | 'the subtitles';
}

interface ReadFile {
  info: Stats;
  /** As the refusal says it: "the text being read (notes.txt)". */
  role: string;
}

/**
 * Refuses to write over anything the run reads: `-f notes.txt -o notes.txt`, `--lexicon words.txt
 * -o words.txt`, an input's own name in `-o folder/`, or the same file by another name (a symbolic
 * link, a hard link, `./notes.txt`, stdin redirected from it). Files are compared by device and
 * inode, so no spelling of the path escapes it. Called before anything is written.
 */
export async function refuseInputsAsOutputs(inputs: RunInputs, outputs: readonly WrittenPath[]): Promise<void> {
  if (outputs.length === 0) return;
  const [read, written] = await Promise.all([readFiles(inputs), Promise.all(outputs.map((o) => stat(o.path).catch(() => undefined)))]);
  outputs.forEach((output, i) => {
    const info = written[i];
    const same = info && read.find((r) => r.info.dev === info.dev && r.info.ino === info.ino);
    if (!same) return;
    throw new UsageError(`Not writing ${output.what} to ${output.path}: it is ${same.role}`, {
      hint: output.what === 'the audio' ? 'Give -o another file name, e.g. speech.mp3.' : 'Give --subtitles another file name, e.g. speech.srt.',
    });
  });
}

async function readFiles(inputs: RunInputs): Promise<ReadFile[]> {
  const texts = inputs.args.length > 0 ? [] : inputs.files.length > 0 ? inputs.files : ['-'];
  const named = [...texts.map((file) => ({ file, role: 'the text being read' })), ...(inputs.lexicon === undefined ? [] : [{ file: inputs.lexicon, role: 'the lexicon being read' }])];
  const found = await Promise.all(
    named.map(async ({ file, role }) => {
      const info = await identity(file, inputs.stdin);
      // Devices are shared by design (`-f /dev/stdin -o /dev/stdout` can be two different pipes).
      if (!info || !(info.isFile() || info.isFIFO())) return undefined;
      return { info, role: `${role} (${file === '-' ? 'stdin' : file})` };
    }),
  );
  return found.filter((r): r is ReadFile => r !== undefined);
}

function identity(file: string, stdin: object): Promise<Stats | undefined> {
  if (file !== '-') return stat(file).catch(() => undefined);
  const fd = (stdin as { fd?: unknown }).fd;
  return typeof fd === 'number' ? fstatFd(fd).catch(() => undefined) : Promise.resolve(undefined);
}
