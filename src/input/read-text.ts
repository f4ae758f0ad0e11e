import { close, constants, createReadStream, fstat, open } from 'node:fs';
import { Socket } from 'node:net';
import { addAbortSignal, type Readable } from 'node:stream';
import { isatty, ReadStream as TtyReadStream } from 'node:tty';
import { promisify } from 'node:util';
import { InterruptedError, TtsError, UsageError } from '../errors.js';
import { normalizeText, requireSpeakableText } from '../text/normalize-text.js';
import { MAX_TEXT_BYTES, TextCollector, tooLong } from '../text/text-collector.js';

const openFd = promisify(open);
const fstatFd = promisify(fstat);
const closeFd = promisify(close);

/** Large reads for files: fewer round trips to the thread pool for a long book. */
const FILE_READ_BYTES = 1024 * 1024;

export interface TextSources {
  /** Positional words, joined by spaces. */
  args: readonly string[];
  /** `-f`: a path, or '-' for stdin. */
  file?: string | undefined;
  stdin: Readable & { isTTY?: boolean };
  /** Ctrl-C: reading stops at once, whatever it waits on (an idle pipe, a FIFO with no writer). */
  signal?: AbortSignal | undefined;
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
    const stream = await openTextFile(sources.file);
    return requireSpeakableText(await collectText(stream, sources.file, sources.signal), sources.file);
  }
  if (sources.file === undefined && sources.stdin.isTTY) {
    throw new UsageError('No text to speak', {
      hint: 'Try: tts "Hello there" -o hello.mp3, tts -f notes.txt, or cat notes.txt | tts -o notes.mp3',
    });
  }
  return requireSpeakableText(await collectText(sources.stdin, 'stdin', sources.signal), 'stdin');
}

/**
 * A stream over the file at `path`, of the kind that can be stopped while it waits: a named pipe
 * or a terminal is read through the event loop, not by a thread blocked in read(2).
 */
async function openTextFile(path: string): Promise<Readable> {
  // Non-blocking: opening a FIFO with no writer would otherwise hold a thread until one comes.
  const fd = await openFd(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)).catch((error: unknown) => {
    throw cannotRead(path, error);
  });
  try {
    const info = await fstatFd(fd);
    if (info.isDirectory()) throw new UsageError(`Cannot read ${path}: it is a directory`);
    // A regular file says its size: one too long is refused without reading it.
    if (info.isFile() && info.size > MAX_TEXT_BYTES) throw tooLong(path);
    if (info.isFIFO() || info.isSocket()) return new Socket({ fd, readable: true, writable: false });
    if (isatty(fd)) return new TtyReadStream(fd);
    return createReadStream('', { fd, highWaterMark: FILE_READ_BYTES });
  } catch (error) {
    await closeFd(fd).catch(() => undefined);
    throw error;
  }
}

/** Reads `stream` to its end through the checks of `TextCollector`; destroys it on any early stop. */
async function collectText(stream: Readable, source: string, signal: AbortSignal | undefined): Promise<string> {
  const collector = new TextCollector(source);
  if (signal) addAbortSignal(signal, stream);
  try {
    for await (const part of stream) collector.push(typeof part === 'string' ? Buffer.from(part) : (part as Uint8Array));
  } catch (error) {
    if (signal?.aborted) throw new InterruptedError();
    if (error instanceof TtsError) throw error;
    throw cannotRead(source, error);
  } finally {
    // A refusal leaves the rest unread: let the writer (`yes`) see a closed pipe and stop.
    if (!stream.destroyed) stream.destroy();
  }
  return collector.finish();
}

/** A file that cannot be opened or read, said the way people understand it. */
export function cannotRead(path: string, error: unknown): UsageError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT' ? 'no such file'
    : code === 'EISDIR' ? 'it is a directory'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'ENXIO' ? 'it is a socket'
    : ((error as Error).message ?? String(error));
  return new UsageError(`Cannot read ${path}: ${why}`, { cause: error });
}
