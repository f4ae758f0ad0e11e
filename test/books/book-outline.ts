import { expect } from 'vitest';
import type { SpeechDocument } from '../../src/plan/segment.js';
import { sourceOffset, type SpokenText } from '../../src/text/spoken-text.js';

/** A document as a listener meets it: each chapter's title and its speech segments' text. */
export function outline(document: SpeechDocument): { title: string; speech: string[] }[] {
  const chapters: { title: string; speech: string[] }[] = [];
  for (const segment of document.segments) {
    if (segment.kind === 'chapter') chapters.push({ title: segment.title, speech: [] });
    else if (segment.kind === 'speech') chapters[chapters.length - 1]!.speech.push(segment.text.text);
  }
  return chapters;
}

export function spokenTexts(document: SpeechDocument): SpokenText[] {
  return document.segments.flatMap((s) => (s.kind === 'speech' ? [s.text] : []));
}

/**
 * Every letter and digit heard maps back to the same character in `source` (the reader's input), or
 * to the entity (`&eacute;`) it was written as.
 */
export function expectWordsMapBack(spoken: SpokenText, source: string): void {
  for (const match of spoken.text.matchAll(/[\p{L}\p{N}]/gu)) {
    const at = sourceOffset(spoken, match.index);
    const found = source[at] === '&' ? source.slice(at, source.indexOf(';', at) + 1) : source.slice(at, at + match[0].length);
    if (found.startsWith('&')) continue;
    expect(found, `"${match[0]}" at ${match.index} in ${JSON.stringify(spoken.text)}`).toBe(match[0]);
  }
}
