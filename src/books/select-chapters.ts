import { UsageError } from '../errors.js';
import type { Segment, SpeechDocument } from '../plan/segment.js';

const EXAMPLE = 'e.g. --chapters 3-7,9 (numbers as --dry-run lists them; 5- runs to the end)';

/**
 * The chapter numbers a `--chapters` spec names, 1-based, in book order, each once: `3-7,9`, `1,1`,
 * `5-` (to the end). Anything else, or a number past the book's `count` chapters, is a UsageError.
 */
export function parseChapterSpec(spec: string, count: number): number[] {
  if (count === 0) throw new UsageError('--chapters: this input has no chapters to choose from');
  const chosen = new Set<number>();
  const parts = spec.split(',').map((p) => p.trim());
  if (parts.every((p) => p === '')) throw new UsageError('--chapters needs chapter numbers', { hint: EXAMPLE });
  for (const part of parts) {
    if (part === '') continue;
    const [first, last] = range(part, count);
    for (let n = first; n <= last; n++) chosen.add(n);
  }
  return [...chosen].sort((a, b) => a - b);
}

function range(part: string, count: number): [number, number] {
  const match = /^(\d+)\s*(?:(-)\s*(\d+)?)?$/.exec(part);
  if (!match) throw new UsageError(`--chapters: "${part}" is not a chapter number or range`, { hint: EXAMPLE });
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : match[3] === undefined ? count : Number(match[3]);
  const book = `there ${count === 1 ? 'is 1 chapter' : `are ${count} chapters`}`;
  if (first === 0 || last === 0) throw new UsageError('--chapters: chapters are numbered from 1', { hint: EXAMPLE });
  if (first > last) throw new UsageError(`--chapters: "${part}" runs backwards; write ${last}-${first}`);
  if (last > count) throw new UsageError(`--chapters: ${last > first ? `"${part}" runs` : `${last} is`} past the last chapter: ${book}`);
  return [first, last];
}

/** The number of chapter marks in a document: what --chapters counts. */
export function chapterCount(document: SpeechDocument): number {
  return document.segments.filter((s) => s.kind === 'chapter').length;
}

/**
 * The document with only the chapters `spec` names, each with its own mark and everything up to the
 * next mark. What comes before the first mark belongs to no chapter and is left out.
 */
export function selectChapters(document: SpeechDocument, spec: string): SpeechDocument {
  const wanted = new Set(parseChapterSpec(spec, chapterCount(document)));
  const segments: Segment[] = [];
  let chapter = 0;
  for (const segment of document.segments) {
    if (segment.kind === 'chapter') chapter++;
    // Each chapter keeps its number in the whole book, so what is listed matches what was asked.
    if (wanted.has(chapter)) segments.push(segment.kind === 'chapter' ? { ...segment, number: chapter } : segment);
  }
  return { ...document, segments };
}
