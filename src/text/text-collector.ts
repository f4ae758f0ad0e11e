import { UsageError } from '../errors.js';
import { normalizeText } from './normalize-text.js';

/**
 * The most text read from one input: 64 MiB. The longest books run to a few MB (War and Peace is
 * 3.2 MB, the whole King James Bible 4.3 MB), so a real text is far below it; past it the input is a
 * mistake (`-f /dev/zero`, `yes | tts`) that would otherwise grow memory until the process is
 * killed. At the cap, what was read takes about 64 MB as a string: a bounded cost.
 */
export const MAX_TEXT_BYTES = 64 * 1024 ** 2;

const size = (bytes: number): string => (bytes >= 1024 ** 2 ? `${Math.round(bytes / 1024 ** 2)} MiB` : `${bytes} bytes`);

/**
 * Decodes input bytes as UTF-8 text the way people expect from a text tool, chunk by chunk as they
 * arrive: a BOM is dropped, CRLF and lone CR become LF. Bytes that are not text (a NUL, invalid
 * UTF-8) and text past the cap are refused at the chunk that shows it, so the caller stops reading
 * at once rather than at the end of an endless input.
 */
export class TextCollector {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  private readonly pieces: string[] = [];
  private bytes = 0;

  constructor(
    /** How messages name the input: a path, or 'stdin'. */
    private readonly source: string,
    private readonly maxBytes: number = MAX_TEXT_BYTES,
  ) {}

  /** Throws a UsageError as soon as the input cannot be text worth speaking. */
  push(bytes: Uint8Array): void {
    if (bytes.includes(0)) {
      throw new UsageError(`${this.source} looks like a binary file, not text`, { hint: 'Pass a UTF-8 text file.' });
    }
    this.bytes += bytes.length;
    if (this.bytes > this.maxBytes) throw tooLong(this.source, this.maxBytes);
    this.pieces.push(this.decode(bytes, { more: true }));
  }

  /** All the text, once the input has ended. */
  finish(): string {
    this.pieces.push(this.decode(new Uint8Array(0), { more: false }));
    return normalizeText(this.pieces.join(''));
  }

  private decode(bytes: Uint8Array, { more }: { more: boolean }): string {
    try {
      return this.decoder.decode(bytes, { stream: more });
    } catch {
      throw new UsageError(`${this.source} is not valid UTF-8 text`, { hint: 'Convert it first, e.g. iconv -f latin1 -t utf-8.' });
    }
  }
}

export function tooLong(source: string, maxBytes: number = MAX_TEXT_BYTES): UsageError {
  return new UsageError(`${source} holds more than ${size(maxBytes)} of text, more than tts reads at once`, {
    hint: 'Is it the file you meant? A long book is a few MB: split the text, e.g. with split -C 10M, and speak each part.',
  });
}
