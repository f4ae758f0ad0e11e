import { UsageError } from '../errors.js';
import type { DocumentInfo, SpeechDocument } from '../plan/segment.js';
import { TextCollector } from '../text/text-collector.js';
import { speakElement, type NotePlacement } from './html-to-speech.js';
import { attribute, descendants, firstDescendant, isElement, localName, parseMarkup, textContent, tokens, type MarkupElement } from './markup-tree.js';
import { SpeechWriter } from './speech-writer.js';

export interface PageOptions {
  /** Footnotes (pandoc's footnotes section, `role="doc-endnotes"`) after their chapter (the default), or left out. */
  notes?: NotePlacement | undefined;
  /** The input's name in messages, e.g. its path. */
  name?: string | undefined;
}

/**
 * A web page (`.html`, `.htm`) as speech: the main text only, `<main>` (else the `<article>`s, else
 * the body) without scripts, styles, navigation, forms, asides or the page's own header and footer.
 * Headings start chapters: `h1` where the page has several, else `h2` (a single `h1` is the page's
 * title, heard at the start), else the lone `h1`. Bytes are read as UTF-8; source offsets count
 * UTF-16 units in that text.
 */
export function readHtml(source: string | Uint8Array, options: PageOptions = {}): SpeechDocument {
  const label = options.name ?? 'the page';
  const html = typeof source === 'string' ? source : decodeBytes(source, label);
  const root = parseMarkup(html, 'html');
  const info = pageInfo(root);
  const content = mainContent(root);
  const writer = new SpeechWriter();
  const chapterHeading = chapterHeadingOf(content);
  for (const element of content) {
    speakElement(element, writer, { mode: 'page', notes: options.notes ?? 'end-of-chapter', chapterHeading });
  }
  const segments = writer.segments(info.title ?? 'Opening');
  if (segments.length === 0) {
    throw new UsageError(`No text to speak: ${label} has no readable text`, {
      hint: 'Only the main text of a page is read: not scripts, navigation, forms or hidden parts.',
    });
  }
  return { ...info, segments };
}

/** UTF-8 with the checks every text input gets (not binary, not too long), BOM and CRs dropped. */
function decodeBytes(bytes: Uint8Array, label: string): string {
  const collector = new TextCollector(label);
  collector.push(bytes);
  return collector.finish();
}

function pageInfo(root: MarkupElement): DocumentInfo {
  const html = firstDescendant(root, 'html');
  const head = firstDescendant(root, 'head') ?? root;
  const title = firstDescendant(head, 'title');
  const h1 = firstDescendant(root, 'h1');
  const author = descendants(head, 'meta').find((m) => m.attrs['name']?.trim().toLowerCase() === 'author');
  const text = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim());
  return {
    title: text(title && textContent(title)) ?? text(h1 && textContent(h1)),
    author: text(author?.attrs['content']),
    language: text(html && attribute(html, 'lang')),
    cover: undefined,
  };
}

/** `<main>` (or `role="main"`) when the page has one, else its `<article>`s, else its body. */
function mainContent(root: MarkupElement): MarkupElement[] {
  const body = firstDescendant(root, 'body') ?? root;
  const mains = outermost(body, (e) => localName(e.name) === 'main' || tokens(e, 'role').includes('main'));
  if (mains.length > 0) return mains;
  const articles = outermost(body, (e) => localName(e.name) === 'article');
  return articles.length > 0 ? articles : [body];
}

function outermost(element: MarkupElement, match: (e: MarkupElement) => boolean, found: MarkupElement[] = []): MarkupElement[] {
  for (const child of element.children) {
    if (!isElement(child)) continue;
    if (match(child)) found.push(child);
    else outermost(child, match, found);
  }
  return found;
}

/** Several `h1`s divide a page into chapters; a single one is its title, and its `h2`s divide it. */
function chapterHeadingOf(content: MarkupElement[]): 'h1' | 'h2' | undefined {
  // Only headings that are heard count: not those in navigation, asides, page chrome or notes.
  const counts = new Map<string, number>();
  const onHeading = (level: string): void => void counts.set(level, (counts.get(level) ?? 0) + 1);
  const probe = new SpeechWriter();
  for (const element of content) speakElement(element, probe, { mode: 'page', notes: 'drop', onHeading });
  const h1 = counts.get('h1') ?? 0;
  if (h1 >= 2) return 'h1';
  if ((counts.get('h2') ?? 0) >= 1) return 'h2';
  return h1 === 1 ? 'h1' : undefined;
}
