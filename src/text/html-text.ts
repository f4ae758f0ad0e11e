import { decodeHTMLStrict } from 'entities';

/** Spoken text and where its first character sits in the source; the rest follow one to one. */
export interface SourcePiece {
  text: string;
  source: number;
}

/** `&amp;`, `&#8212;`, `&#x2014;`: references with their `;`, as CommonMark decodes them. */
const CHARACTER_REFERENCE = /&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});/y;

/**
 * The words in a piece of raw HTML found in Markdown (an HTML block, or one inline tag): tags are
 * dropped, comments and the contents of `<script>` and `<style>` are not spoken, character
 * references are decoded. Block-level tags and `<br>` separate the words on either side. Markdown
 * holds HTML in small pieces (a `<details>`, a `<div align>`), so a tokenizer this small is enough;
 * whole pages are the HTML reader's job.
 */
export function htmlText(html: string, start: number): SourcePiece[] {
  const pieces: SourcePiece[] = [];
  let textFrom = 0;
  let i = 0;
  const flushText = (end: number): void => {
    if (end > textFrom) pieces.push(...decodeReferences(html.slice(textFrom, end), start + textFrom));
  };
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    const markup = markupAt(html, lt);
    if (!markup) {
      i = lt + 1;
      continue;
    }
    flushText(lt);
    if (markup.separates && !endsWithSpace(pieces) && !/^\s/.test(html.slice(markup.end, markup.end + 1))) {
      pieces.push({ text: '\n', source: start + lt });
    }
    i = textFrom = markup.end;
  }
  flushText(html.length);
  return pieces;
}

/** `script` or `style` when `html` is the opening tag of one, whose contents are not text. */
export function rawTextElement(html: string): string | undefined {
  const name = /^<(script|style)(?=[\s>/])[^>]*>/i.exec(html)?.[1]?.toLowerCase();
  return name && !new RegExp(`</${name}\\s*>`, 'i').test(html) ? name : undefined;
}

/** Whether `html` is the closing tag of element `name`. */
export function closesElement(html: string, name: string): boolean {
  return new RegExp(`^</${name}\\s*>$`, 'i').test(html.trim());
}

const TAG = /<\/?([A-Za-z][A-Za-z0-9-]*)(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*\s*\/?>/y;

/** Tags that keep the words inside one flow; any other tag separates the words around it. */
const INLINE_TAGS = new Set(['a', 'abbr', 'b', 'bdi', 'bdo', 'cite', 'code', 'data', 'del', 'dfn', 'em', 'font', 'i', 'ins', 'kbd', 'mark', 'q', 's', 'samp', 'small', 'span', 'strike', 'strong', 'sub', 'sup', 'time', 'u', 'var', 'wbr']);

interface Markup {
  end: number;
  separates: boolean;
}

/** The markup starting at `at` (a `<`), or undefined when that `<` is just a character. */
function markupAt(html: string, at: number): Markup | undefined {
  const rest = html.slice(at, at + 9);
  if (rest.startsWith('<!--')) return { end: endAfter(html, '-->', at + 4), separates: false };
  if (rest.startsWith('<![CDATA[')) return { end: endAfter(html, ']]>', at + 9), separates: false };
  if (/^<[!?]/.test(rest)) return { end: endAfter(html, '>', at + 2), separates: false };
  TAG.lastIndex = at;
  const tag = TAG.exec(html);
  if (!tag) return undefined;
  const name = tag[1]!.toLowerCase();
  const closing = tag[0][1] === '/';
  if (!closing && (name === 'script' || name === 'style')) {
    const close = new RegExp(`</${name}\\s*>`, 'ig');
    close.lastIndex = TAG.lastIndex;
    const found = close.exec(html);
    return { end: found ? close.lastIndex : html.length, separates: true };
  }
  return { end: TAG.lastIndex, separates: !INLINE_TAGS.has(name) };
}

function endAfter(html: string, marker: string, from: number): number {
  const found = html.indexOf(marker, from);
  return found < 0 ? html.length : found + marker.length;
}

function endsWithSpace(pieces: SourcePiece[]): boolean {
  const last = pieces[pieces.length - 1];
  return last !== undefined && /\s$/.test(last.text);
}

/** Text between tags, its references decoded, each decoded one pointing at its `&`. */
function decodeReferences(text: string, start: number): SourcePiece[] {
  const pieces: SourcePiece[] = [];
  let from = 0;
  for (let amp = text.indexOf('&'); amp >= 0; amp = text.indexOf('&', amp + 1)) {
    CHARACTER_REFERENCE.lastIndex = amp;
    const match = CHARACTER_REFERENCE.exec(text);
    const decoded = match ? decodeHTMLStrict(match[0]) : undefined;
    // An unknown name decodes to itself: it is text as written.
    if (!match || decoded === undefined || decoded === match[0]) continue;
    if (amp > from) pieces.push({ text: text.slice(from, amp), source: start + from });
    pieces.push({ text: decoded, source: start + amp });
    from = amp + match[0].length;
  }
  if (from < text.length) pieces.push({ text: text.slice(from), source: start + from });
  return pieces;
}
