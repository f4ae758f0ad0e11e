import { chunkText, codePointLength } from '../text/chunk-text.js';

/** The common subtitle guidelines: at most two lines of about 42 characters. */
export const LINE_CHARS = 42;
export const CUE_CHARS = 2 * LINE_CHARS;

/** One subtitle's text, before it has a time. */
export interface CueText {
  /** UTF-16 offsets into the request's text. */
  start: number;
  end: number;
  /** As shown: the text as written, whitespace collapsed, broken into at most two lines. */
  lines: string[];
  /** Whether a sentence ends here (a pause is expected after it), or a long sentence goes on. */
  endsSentence: boolean;
}

let sentences: Intl.Segmenter | undefined;

/**
 * A request's text as subtitles: a cue ends where a sentence ends, and a sentence longer than two
 * lines is split at a clause, else a word boundary (the chunker's own rules, at the cue's size).
 * Nothing is lost or added: the cues, joined, are the text less its whitespace.
 */
export function splitCues(text: string): CueText[] {
  sentences ??= new Intl.Segmenter(undefined, { granularity: 'sentence' });
  const cues: CueText[] = [];
  for (const s of sentences.segment(text)) {
    // The chunker cuts a run-on at clauses, then words; it also trims each piece's edges.
    const pieces = chunkText(s.segment, { maxChars: CUE_CHARS });
    pieces.forEach((piece, i) => {
      const start = s.index + piece.start;
      cues.push({ start, end: start + piece.text.length, lines: breakLines(piece.text), endsSentence: i === pieces.length - 1 });
    });
  }
  return cues;
}

/**
 * One line when it fits; else two, cut at the space that makes them most even (the lower line a
 * little longer when it cannot be even, as subtitlers prefer).
 */
export function breakLines(text: string): string[] {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (codePointLength(flat) <= LINE_CHARS) return [flat];
  let best: number | undefined;
  let bestScore = Infinity;
  for (let at = flat.indexOf(' '); at >= 0; at = flat.indexOf(' ', at + 1)) {
    const top = codePointLength(flat.slice(0, at));
    const bottom = codePointLength(flat.slice(at + 1));
    const over = Math.max(0, top - LINE_CHARS) + Math.max(0, bottom - LINE_CHARS);
    const score = over * 1000 + Math.abs(bottom - top) + (top > bottom ? 0.5 : 0);
    if (score < bestScore) [best, bestScore] = [at, score];
  }
  return best === undefined ? [flat] : [flat.slice(0, best), flat.slice(best + 1)];
}
