import { UsageError } from '../errors.js';
import { dropControls } from './control-characters.js';

/**
 * Decode input bytes as UTF-8 text the way people expect from a text tool: a BOM is dropped, CRLF and
 * lone CR become LF. Bytes that are not text (a NUL, or invalid UTF-8) are refused rather than
 * spoken as garbage and paid for.
 */
export function decodeText(bytes: Uint8Array, source: string): string {
  if (bytes.includes(0)) {
    throw new UsageError(`${source} looks like a binary file, not text`, {
      hint: 'Pass a UTF-8 text file.',
    });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new UsageError(`${source} is not valid UTF-8 text`, {
      hint: 'Convert it first, e.g. iconv -f latin1 -t utf-8.',
    });
  }
  return normalizeText(text);
}

/** A BOM dropped, every line ending LF, and no control characters (a terminal's, not speech). */
export function normalizeText(text: string): string {
  return dropControls(text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n'));
}

/** Empty or whitespace-only text would be a paid request for silence, or a provider 400. */
export function requireSpeakableText(text: string, source: string): string {
  if (text.trim() === '') {
    throw new UsageError(`No text to speak: ${source} is empty`, {
      hint: 'Give text as arguments, with -f <file>, or on stdin.',
    });
  }
  return text;
}
