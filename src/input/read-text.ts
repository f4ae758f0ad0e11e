import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { UsageError } from '../errors.js';
import { decodeText, normalizeText, requireSpeakableText } from '../text/normalize-text.js';

export interface TextSources {
  /** Positional words, joined by spaces. */
  args: readonly string[];
  /** `-f`: a path, or '-' for stdin. */
  file?: string | undefined;
  stdin: Readable & { isTTY?: boolean };
}

/** Text comes from the arguments, else `--file`, else stdin when it is not a terminal. */
export async function readText(sources: TextSources): Promise<string> {
  if (sources.args.length > 0) {
    if (sources.file !== undefined) {
      throw new UsageError('Give text either as arguments or with --file, not both');
    }
    return requireSpeakableText(normalizeText(sources.args.join(' ')), 'the text argument');
  }
  if (sources.file !== undefined && sources.file !== '-') {
    return requireSpeakableText(decodeText(await readFileBytes(sources.file), sources.file), sources.file);
  }
  if (sources.file === undefined && sources.stdin.isTTY) {
    throw new UsageError('No text to speak', {
      hint: 'Try: tts "Hello there" -o hello.mp3, tts -f notes.txt, or cat notes.txt | tts -o notes.mp3',
    });
  }
  return requireSpeakableText(decodeText(await readAll(sources.stdin), 'stdin'), 'stdin');
}

async function readFileBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file'
      : code === 'EISDIR' ? 'it is a directory'
      : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
      : ((error as Error).message ?? String(error));
    throw new UsageError(`Cannot read ${path}: ${why}`, { cause: error });
  }
}

async function readAll(stream: Readable): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.isBuffer(part) ? part : Buffer.from(part as string));
  return Buffer.concat(parts);
}
