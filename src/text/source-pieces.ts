import { decodeNamedCharacterReference } from 'decode-named-character-reference';
import { decodeNumericCharacterReference } from 'micromark-util-decode-numeric-character-reference';

/** Spoken text and where its first character sits in the source; the rest follow one to one. */
export interface SourcePiece {
  text: string;
  source: number;
}

/** `&amp;`, `&#8212;`, `&#x2014;`: the forms CommonMark and HTML both decode. */
export const CHARACTER_REFERENCE = /&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});/y;

/** The text a character reference stands for (its body, without `&` and `;`); undefined if none. */
export function decodeReference(body: string): string | undefined {
  if (body.startsWith('#x') || body.startsWith('#X')) return decodeNumericCharacterReference(body.slice(2), 16);
  if (body.startsWith('#')) return decodeNumericCharacterReference(body.slice(1), 10);
  const named = decodeNamedCharacterReference(body);
  return named === false ? undefined : named;
}

/**
 * Lines up text a parser produced (`value`) with the source it came from, which may hold more:
 * quote markers and indentation the parser dropped, backslash escapes, character references it
 * decoded. Characters are matched in order; a reference or escape in the source is tried before a
 * plain match, so `&amp;` maps its `&` to the reference, not to its own first character. Whatever
 * cannot be matched (never seen with micromark's output) is kept, pointing where matching stopped.
 */
export function alignToSource(value: string, source: string, start: number): SourcePiece[] {
  if (value === source) return value === '' ? [] : [{ text: value, source: start }];
  const pieces: SourcePiece[] = [];
  // The current run: value[runFrom, i) came from source[runSource, ...).
  let runFrom = 0;
  let runSource = 0;
  let i = 0;
  let j = 0;
  const flush = (): void => {
    if (i > runFrom) pieces.push({ text: value.slice(runFrom, i), source: start + runSource });
  };
  const restart = (sourceAt: number): void => {
    flush();
    runFrom = i;
    runSource = sourceAt;
  };
  while (i < value.length && j < source.length) {
    const decoded = source[j] === '&' ? referenceAt(source, j) : undefined;
    if (decoded && value.startsWith(decoded.text, i)) {
      restart(j);
      i += decoded.text.length;
      j += decoded.length;
      restart(j);
    } else if (source[j] === '\\' && source[j + 1] === value[i]) {
      restart(j + 1);
      i++;
      j += 2;
    } else if (value[i] === source[j]) {
      if (runSource + (i - runFrom) !== j) restart(j);
      i++;
      j++;
    } else {
      j++;
    }
  }
  if (i < value.length) {
    flush();
    pieces.push({ text: value.slice(i), source: start + Math.min(j, source.length) });
    return pieces;
  }
  flush();
  return pieces;
}

function referenceAt(source: string, at: number): { text: string; length: number } | undefined {
  CHARACTER_REFERENCE.lastIndex = at;
  const match = CHARACTER_REFERENCE.exec(source);
  const text = match ? decodeReference(match[1]!) : undefined;
  return match && text !== undefined ? { text, length: match[0].length } : undefined;
}
