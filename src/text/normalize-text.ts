import { UsageError } from '../errors.js';
import { dropControls } from './control-characters.js';

/** A BOM dropped, every line ending LF, and no control characters (a terminal's, not speech). */
export function normalizeText(text: string): string {
  return dropControls(text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n'));
}

/** Empty or whitespace-only text would be a paid request for silence, or a provider 400. */
export function requireSpeakableText(text: string, source: string): string {
  // A test, not trim(): a copy of a long text just to look at it would double its memory.
  if (!/\S/.test(text)) {
    throw new UsageError(`No text to speak: ${source} is empty`, {
      hint: 'Give text as arguments, with -f <file>, or on stdin.',
    });
  }
  return text;
}
