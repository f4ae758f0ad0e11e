import { firstDescendant, hasToken, isElement, localName, textContent, type MarkupElement, type MarkupNode } from './markup-tree.js';
import { resolveHref } from './epub-package.js';
import { SpeechWriter, type Separator } from './speech-writer.js';

/** Where footnotes and endnotes are heard: after their chapter's text, or not at all. */
export type NotePlacement = 'end-of-chapter' | 'drop';

export interface HtmlSpeechOptions {
  /** `book`: an EPUB content document, all of it the book. `page`: a web page with its chrome. */
  mode: 'book' | 'page';
  notes: NotePlacement;
  /** Element ids where chapters start (a TOC's fragment links), each with its chapters' titles. Consumed. */
  anchors?: Map<string, string[]> | undefined;
  /** Pages: the heading that starts a chapter. */
  chapterHeading?: 'h1' | 'h2' | undefined;
  /** The document's path, to know which note a link such as `#fn1` or `notes.xhtml#fn1` refers to. */
  path?: string | undefined;
  /** Told of every heading that is spoken as part of the text (not in a note, not skipped). */
  onHeading?: ((level: string) => void) | undefined;
}

interface Scope {
  /** Inside `<pre>`: line breaks are kept. */
  pre: boolean;
  /** Inside `<sup>`: a short link here is a note marker. */
  sup: boolean;
  /** Inside article, main, section: a header or footer here belongs to the text, not the page. */
  sectioned: boolean;
}

/** Never spoken: code, styling, media, interactive and navigation elements, ruby readings, head matter. */
const NEVER = new Set([
  'head', 'title', 'script', 'style', 'noscript', 'template', 'nav', 'form', 'button', 'input', 'select',
  'textarea', 'option', 'datalist', 'svg', 'math', 'iframe', 'object', 'embed', 'video', 'audio', 'canvas',
  'map', 'rt', 'rp', 'meta', 'link',
]);
/** On a web page these are chrome around the text, not the text. */
const PAGE_CHROME = new Set(['aside', 'dialog', 'menu']);
const PAGE_ROLES = new Set(['navigation', 'banner', 'contentinfo', 'complementary', 'search', 'dialog', 'alertdialog', 'menu', 'menubar', 'toolbar']);
/** Page numbers, tables of contents and pull quotes (a repeat of the text) inside a book. */
const SKIPPED_TYPES = new Set(['pagebreak', 'toc', 'landmarks', 'page-list', 'loi', 'lot', 'pullquote']);
const SKIPPED_ROLES = new Set(['doc-pagebreak', 'doc-toc', 'doc-pullquote']);
const DECORATIVE_ROLES = new Set(['presentation', 'none']);
const SECTIONING = new Set(['article', 'main', 'section', 'aside', 'nav']);

const NOTE_TYPES = new Set(['footnote', 'footnotes', 'endnote', 'endnotes', 'rearnote', 'rearnotes', 'note']);
const NOTE_ROLES = new Set(['doc-footnote', 'doc-endnote', 'doc-endnotes']);
/** Classes that mark notes (pandoc's `footnotes` section) count only on blocks: `<sup class="footnote">` is a marker. */
const NOTE_CLASSES = new Set(['footnotes', 'footnote', 'endnotes', 'endnote']);
const NOTE_BLOCKS = new Set(['section', 'div', 'aside', 'ol', 'ul', 'li', 'p', 'dl', 'dd', 'footer']);
const NOTEREF_TYPES = new Set(['noteref', 'backlink', 'referrer']);
const NOTEREF_ROLES = new Set(['doc-noteref', 'doc-backlink']);
const NOTEREF_CLASSES = new Set(['footnote-ref', 'footnote-back', 'footnote-backref', 'noteref']);
/** A note marker's text: 1, 12, a, iv, *, †, [3], (3). */
const MARKER = /^[[(]?[\p{L}\p{N}*†‡§¶]{1,4}[\])]?$/u;
const BRACKETED = /^[[(].*[\])]$/u;
const NO_WORDS = /^[\p{P}\p{S}\p{M}\s]*$/u;

const UNINFORMATIVE_ALT = new Set([
  'cover', 'cover image', 'image', 'img', 'picture', 'photo', 'figure', 'illustration', 'logo', 'icon', 'graphic',
  'decoration', 'ornament', 'spacer', 'separator', 'divider',
]);
const FILE_NAME = /\.(?:jpe?g|png|gif|svg|webp|bmp|tiff?)$/iu;

const PARAGRAPHS = new Set([
  'html', 'body', 'p', 'div', 'section', 'article', 'main', 'header', 'footer', 'aside', 'blockquote', 'figure',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hgroup', 'ul', 'ol', 'dl', 'table', 'pre', 'hr', 'address', 'details',
  'summary', 'fieldset', 'center',
]);
const LINES = new Set(['li', 'tr', 'dt', 'dd', 'figcaption', 'caption']);
const SENTENCES = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'tr', 'dt', 'caption', 'figcaption', 'summary']);
const CELLS = new Set(['td', 'th']);
const HEADINGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);

const TOP: Scope = { pre: false, sup: false, sectioned: false };

/** Speaks the element and everything in it into `writer`. */
export function speakElement(element: MarkupElement, writer: SpeechWriter, options: HtmlSpeechOptions): void {
  walkElement(element, TOP, { writer, options });
}

/** The words of a heading as they are heard, for a chapter's title (note markers and hidden parts left out). */
export function spokenLabel(element: MarkupElement, mode: HtmlSpeechOptions['mode']): string {
  const writer = new SpeechWriter();
  const context: Context = { writer, options: { mode, notes: 'drop' } };
  for (const child of element.children) walkNode(child, TOP, context);
  return writer.segments('').flatMap((s) => (s.kind === 'speech' ? [s.text.text] : [])).join(' ').replace(/\s+/g, ' ').trim();
}

interface Context {
  writer: SpeechWriter;
  options: HtmlSpeechOptions;
}

function walkNode(node: MarkupNode, scope: Scope, context: Context): void {
  if ('children' in node) walkElement(node, scope, context);
  else context.writer.text(node.text, node.source, scope.pre);
}

function walkElement(element: MarkupElement, scope: Scope, context: Context): void {
  const { writer, options } = context;
  const name = localName(element.name);
  startAnchoredChapters(element, context);
  if (NEVER.has(name) || isCodeListing(element, name)) return startAnchoredChaptersWithin(element, context);
  const key = noteKey(element.attrs['id'], options.path);
  // Inside a notes section, an element a marker pointed at is one note (pandoc's EPUB 2 <li id="fn1">).
  if (isNote(element, name) || (writer.inNote && key !== undefined && writer.isReferred(key))) {
    if (options.notes === 'drop') return startAnchoredChaptersWithin(element, context);
    writer.beginNote(key);
    walkChildren(element, scope, context);
    writer.endNote();
    return;
  }
  if (name === 'a' && isNoteRef(element, scope)) {
    // Notes at the foot of this document follow the chapter that refers to them; a book's own notes
    // chapter (another document) is left where the book puts it.
    const target = resolveHref(options.path ?? '', element.attrs['href'] ?? '');
    if (target.fragment !== undefined && target.path === (options.path ?? '')) writer.noteRef(noteKey(target.fragment, target.path)!);
    return startAnchoredChaptersWithin(element, context);
  }
  if (isSkipped(element, name, scope, options.mode)) return startAnchoredChaptersWithin(element, context);
  if (HEADINGS.has(name) && !writer.inNote) {
    options.onHeading?.(name);
    if (name === options.chapterHeading) writer.chapter(spokenLabel(element, options.mode));
  }
  if (name === 'br') return writer.stream.separate('\n');
  if (name === 'img') return speakAlt(element, writer);
  const separator: Separator = PARAGRAPHS.has(name) ? '\n\n' : LINES.has(name) ? '\n' : '';
  writer.stream.separate(separator);
  const stream = writer.stream;
  const length = stream.length;
  walkChildren(element, innerScope(scope, name), context);
  // A chapter may have started inside (an anchored id): then all the text in its stream is this block's.
  const grew = writer.stream === stream ? stream.length > length : !writer.stream.empty;
  if (grew && SENTENCES.has(name)) writer.stream.endSentence();
  if (grew && CELLS.has(name)) writer.stream.separate(', ');
  writer.stream.separate(separator);
}

/** Notes are known by document and id: pandoc numbers every chapter's notes from fn1. */
function noteKey(id: string | undefined, path: string | undefined): string | undefined {
  return id === undefined ? undefined : `${path ?? ''}#${id}`;
}

/**
 * An image is heard as a screen reader tells it: by its alt text (pandoc's EPUB 3 puts a figure's
 * caption there and hides the visible caption from screen readers). Alt texts that only say
 * "image" or name a file, and decorative images, say nothing.
 */
function speakAlt(element: MarkupElement, writer: SpeechWriter): void {
  const alt = element.attrs['alt']?.trim() ?? '';
  const decorative = hasToken(element, 'role', DECORATIVE_ROLES);
  if (alt === '' || decorative || UNINFORMATIVE_ALT.has(alt.toLowerCase()) || FILE_NAME.test(alt)) return;
  writer.stream.separate(' ');
  writer.text(element.attrs['alt'] ?? '', element.altSource ?? 0);
  writer.stream.separate(' ');
}

function walkChildren(element: MarkupElement, scope: Scope, context: Context): void {
  for (const child of element.children) walkNode(child, scope, context);
}

function innerScope(scope: Scope, name: string): Scope {
  if (name === 'pre') return { ...scope, pre: true };
  if (name === 'sup') return { ...scope, sup: true };
  if (SECTIONING.has(name) && !scope.sectioned) return { ...scope, sectioned: true };
  return scope;
}

function startAnchoredChapters(element: MarkupElement, context: Context): void {
  const anchors = context.options.anchors;
  if (!anchors || anchors.size === 0) return;
  startAnchored(element.attrs['id'], anchors, context.writer);
  // Old books mark places with <a name="…"> instead of an id.
  if (localName(element.name) === 'a') startAnchored(element.attrs['name'], anchors, context.writer);
}

function startAnchored(id: string | undefined, anchors: Map<string, string[]>, writer: SpeechWriter): void {
  const titles = id === undefined ? undefined : anchors.get(id);
  if (titles === undefined || id === undefined) return;
  anchors.delete(id);
  for (const title of titles) writer.chapter(title);
}

/** A chapter's anchor inside a part that is not spoken still starts the chapter there. */
function startAnchoredChaptersWithin(element: MarkupElement, context: Context): void {
  if (!context.options.anchors || context.options.anchors.size === 0) return;
  for (const child of element.children) {
    if (!isElement(child)) continue;
    startAnchoredChapters(child, context);
    startAnchoredChaptersWithin(child, context);
  }
}

function isSkipped(element: MarkupElement, name: string, scope: Scope, mode: HtmlSpeechOptions['mode']): boolean {
  const attrs = element.attrs;
  if (attrs['hidden'] !== undefined || attrs['aria-hidden']?.trim().toLowerCase() === 'true') return true;
  const style = attrs['style']?.toLowerCase().replace(/\s+/g, '') ?? '';
  if (style.includes('display:none') || style.includes('visibility:hidden')) return true;
  if (hasToken(element, 'epub:type', SKIPPED_TYPES) || hasToken(element, 'role', SKIPPED_ROLES)) return true;
  if (mode === 'book') return false;
  if (PAGE_CHROME.has(name) || hasToken(element, 'role', PAGE_ROLES)) return true;
  return (name === 'header' || name === 'footer') && !scope.sectioned;
}

/** `<pre><code>` (and pandoc's highlighted blocks) are program listings, left out as the Markdown reader leaves code blocks out. */
function isCodeListing(element: MarkupElement, name: string): boolean {
  return name === 'pre' && element.children.some((c) => isElement(c) && localName(c.name) === 'code');
}

function isNote(element: MarkupElement, name: string): boolean {
  if (name === 'a') return false;
  if (hasToken(element, 'epub:type', NOTE_TYPES) || hasToken(element, 'role', NOTE_ROLES)) return true;
  if (!NOTE_BLOCKS.has(name)) return false;
  return element.attrs['id'] === 'footnotes' || hasToken(element, 'class', NOTE_CLASSES);
}

/**
 * A link to a note (`epub:type="noteref"`, pandoc's `footnote-ref`, `<sup><a href="#fn1">1</a></sup>`,
 * `[3]`) or back from one (↩): read aloud, it would be a stray number in the middle of a sentence.
 */
function isNoteRef(element: MarkupElement, scope: Scope): boolean {
  const href = element.attrs['href'];
  if (href === undefined || !href.includes('#')) return false;
  if (hasToken(element, 'epub:type', NOTEREF_TYPES) || hasToken(element, 'role', NOTEREF_ROLES)) return true;
  if (hasToken(element, 'class', NOTEREF_CLASSES)) return true;
  const text = textContent(element);
  if (NO_WORDS.test(text)) return true;
  return MARKER.test(text) && (scope.sup || BRACKETED.test(text) || firstDescendant(element, 'sup') !== undefined);
}
