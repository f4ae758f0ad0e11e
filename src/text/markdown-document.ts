import type { Segment, SpeechDocument } from '../plan/segment.js';
import { readMarkdown, type MarkdownHeading } from './markdown-to-speech.js';
import { sliceSpoken, type SpokenText } from './spoken-text.js';

/**
 * A Markdown file as a book: a chapter at each top-level heading, titled by its words, the speech
 * between them (headings included: a chapter announces itself), and the title and author from the
 * front matter. Without a front matter title, the first `#` heading is the title.
 */
export function markdownDocument(source: string): SpeechDocument {
  const markdown = readMarkdown(source);
  const segments: Segment[] = [];
  let from = 0;
  for (const heading of chapterHeadings(markdown.headings)) {
    pushSpeech(segments, markdown.spoken, from, heading.offset);
    segments.push({ kind: 'chapter', title: heading.text.replace(/\s+/g, ' ') });
    from = heading.offset;
  }
  pushSpeech(segments, markdown.spoken, from, markdown.spoken.text.length);
  const title = markdown.title ?? markdown.headings.find((heading) => heading.level === 1)?.text.replace(/\s+/g, ' ');
  return { title, author: markdown.author, segments };
}

/**
 * The headings that start chapters: those of the top level present (`#`, else `##`, …). A lone
 * top-level heading that opens the outline over deeper ones is the document's title (a README, a
 * single-file book): it starts the first chapter, and the next level present starts the others,
 * rather than the whole file being one chapter.
 */
export function chapterHeadings(headings: readonly MarkdownHeading[]): MarkdownHeading[] {
  const levels = [...new Set(headings.map((heading) => heading.level))].sort((a, b) => a - b);
  const top = levels[0];
  if (top === undefined) return [];
  const atTop = headings.filter((heading) => heading.level === top);
  const next = levels[1];
  if (atTop.length === 1 && headings[0] === atTop[0] && next !== undefined) {
    return headings.filter((heading) => heading.level === top || heading.level === next);
  }
  return atTop;
}

/** The speech from `from` to `to`, less the breaks at its edges; nothing when that leaves no words. */
function pushSpeech(segments: Segment[], spoken: SpokenText, from: number, to: number): void {
  let start = from;
  let end = to;
  while (start < end && /\s/.test(spoken.text[start]!)) start++;
  while (end > start && /\s/.test(spoken.text[end - 1]!)) end--;
  if (end > start) segments.push({ kind: 'speech', text: sliceSpoken(spoken, start, end), style: {} });
}
