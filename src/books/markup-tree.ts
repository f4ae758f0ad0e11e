import type { Handler, Parser, ParserOptions } from 'htmlparser2';
import { WritableStream } from 'htmlparser2/WritableStream';

/**
 * A small tree of elements and text, built from htmlparser2's events. Each piece of text keeps the
 * offset in the source where it starts, and an entity (`&amp;`) is its own piece, so a reader can map
 * every spoken character back to the markup it came from.
 */
export interface MarkupElement {
  /** As written in XML mode (`dc:title`); lower-cased in HTML mode. */
  name: string;
  attrs: Readonly<Record<string, string>>;
  children: MarkupNode[];
  /** Where an image's `alt` text starts in the source (always set, so every element has one shape). */
  altSource: number | undefined;
}

export interface MarkupText {
  text: string;
  /** UTF-16 offset in the source of this piece's first character. */
  source: number;
}

export type MarkupNode = MarkupElement | MarkupText;

export type MarkupKind =
  /** Package documents, NCX, container.xml: names keep their case, every tag may close itself. */
  | 'xml'
  /** EPUB content documents: HTML rules (void elements, raw text in script, HTML entities), but `<a/>` closes. */
  | 'xhtml'
  /** Web pages, read the way a browser does. */
  | 'html';

/**
 * Deeper elements are kept as siblings at this depth. Old pages nest unclosed `<font>` and `<b>` tags
 * thousands deep; every walk over the tree recurses, and must not run out of stack.
 */
const MAX_DEPTH = 256;

/** Parses markup into a root element named `#root`; never throws: a broken document gives what it holds. */
export function parseMarkup(source: string, kind: MarkupKind): MarkupElement {
  const root: MarkupElement = { name: '#root', attrs: {}, children: [], altSource: undefined };
  const stack: MarkupElement[] = [root];
  let top = root;
  let flattened = 0;
  let altSource: number | undefined;
  const parser = newParser(
    {
      onattribute(name, value) {
        if (name !== 'alt') return;
        // startIndex is the attribute's name; a value written with entities maps there.
        const start = source.indexOf(value, parser.startIndex + name.length);
        altSource = start >= 0 && start <= parser.endIndex ? start : parser.startIndex;
      },
      onopentag(name, attrs) {
        const element: MarkupElement = { name, attrs, children: [], altSource };
        altSource = undefined;
        top.children.push(element);
        if (stack.length < MAX_DEPTH) {
          stack.push(element);
          top = element;
        } else {
          flattened++;
        }
      },
      onclosetag() {
        if (flattened > 0) {
          flattened--;
        } else if (stack.length > 1) {
          stack.pop();
          top = stack[stack.length - 1]!;
        }
      },
      ontext(text) {
        top.children.push({ text, source: parser.startIndex });
      },
    },
    {
      xmlMode: kind === 'xml',
      recognizeSelfClosing: kind !== 'html',
      recognizeCDATA: kind !== 'html',
      decodeEntities: true,
    },
  );
  parser.end(source);
  return root;
}

/**
 * htmlparser2's main entry also loads its DOM, feed and serialising helpers (domutils, the entity
 * encoder: about 80 ms of start-up); its stream entry loads the parser alone, and the parser hands
 * itself to `onparserinit` when it is made.
 */
function newParser(handler: Partial<Handler>, options: ParserOptions): Parser {
  let parser: Parser | undefined;
  new WritableStream({ ...handler, onparserinit: (made) => (parser = made) }, options);
  return parser!;
}

export function isElement(node: MarkupNode): node is MarkupElement {
  return 'children' in node;
}

/** `dc:title` → `title`, `OPF:Item` → `item`: package documents use prefixes freely. */
export function localName(name: string): string {
  const colon = name.lastIndexOf(':');
  return (colon < 0 ? name : name.slice(colon + 1)).toLowerCase();
}

/**
 * An attribute by exact name, else by local name in any case (`opf:role` for `role`, `xml:lang` for
 * `lang`, `URI` for `uri`): XML keeps names as written, and books are written loosely.
 */
export function attribute(element: MarkupElement, name: string): string | undefined {
  const exact = element.attrs[name];
  if (exact !== undefined) return exact;
  for (const [key, value] of Object.entries(element.attrs)) {
    if (localName(key) === name) return value;
  }
  return undefined;
}

/** The attribute's whitespace-separated tokens, lower-cased (`class`, `epub:type`, `role`, `properties`). */
export function tokens(element: MarkupElement, name: string): string[] {
  const value = element.attrs[name];
  return value === undefined ? [] : value.toLowerCase().split(/\s+/).filter(Boolean);
}

/** Whether one of the attribute's tokens is in `wanted`: asked of every element, so free when it is absent. */
export function hasToken(element: MarkupElement, name: string, wanted: ReadonlySet<string>): boolean {
  const value = element.attrs[name];
  return value !== undefined && tokens(element, name).some((token) => wanted.has(token));
}

export function childElements(element: MarkupElement, local?: string): MarkupElement[] {
  const found: MarkupElement[] = [];
  for (const child of element.children) {
    if (isElement(child) && (local === undefined || localName(child.name) === local)) found.push(child);
  }
  return found;
}

/** Every element below `element` in document order whose local name is `local`. */
export function descendants(element: MarkupElement, local: string): MarkupElement[] {
  const found: MarkupElement[] = [];
  const visit = (parent: MarkupElement): void => {
    for (const child of parent.children) {
      if (!isElement(child)) continue;
      if (localName(child.name) === local) found.push(child);
      visit(child);
    }
  };
  visit(element);
  return found;
}

export function firstDescendant(element: MarkupElement, local: string): MarkupElement | undefined {
  for (const child of element.children) {
    if (!isElement(child)) continue;
    if (localName(child.name) === local) return child;
    const below = firstDescendant(child, local);
    if (below) return below;
  }
  return undefined;
}

/** The text inside, whitespace collapsed: for titles and labels, not for speech. */
export function textContent(element: MarkupElement): string {
  const parts: string[] = [];
  const visit = (parent: MarkupElement): void => {
    for (const child of parent.children) {
      if (isElement(child)) visit(child);
      else parts.push(child.text);
    }
  };
  visit(element);
  return collapseWhitespace(parts.join(''));
}

export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
