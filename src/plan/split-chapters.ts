import type { Segment, SpeechDocument } from './segment.js';

/** One chapter of a document, to be written as a file of its own. */
export interface ChapterPart {
  /** Its place in the whole book, from 1. */
  number: number;
  title: string;
  /** Its speech and pauses, without the chapter mark: the file is the chapter. */
  segments: Segment[];
}

/**
 * A document cut at its chapter marks. What comes before the first mark (a preface without a
 * heading) goes with the first chapter; a document without marks is one part, titled by the book.
 */
export function splitChapters(document: SpeechDocument, untitled: string): ChapterPart[] {
  const parts: ChapterPart[] = [];
  let lead: Segment[] = [];
  for (const segment of document.segments) {
    if (segment.kind === 'chapter') {
      parts.push({ number: segment.number ?? parts.length + 1, title: segment.title, segments: parts.length === 0 ? lead : [] });
      lead = [];
    } else if (parts.length === 0) {
      lead.push(segment);
    } else {
      parts[parts.length - 1]!.segments.push(segment);
    }
  }
  if (parts.length === 0) return [{ number: 1, title: document.title ?? untitled, segments: lead }];
  return parts.filter((part) => part.segments.some((s) => s.kind === 'speech' && s.text.text.trim() !== ''));
}
