import { resolveHref } from './epub-package.js';
import { attribute, childElements, descendants, firstDescendant, parseMarkup, textContent, tokens, type MarkupElement } from './markup-tree.js';

/** One entry of a book's table of contents, flattened in reading order. */
export interface TocEntry {
  title: string;
  /** The content document, as a path inside the zip. */
  path: string;
  /** The id the entry points at inside that document, if any. */
  fragment: string | undefined;
  /** 1 for the top level. */
  depth: number;
}

/** The entries of an EPUB 3 navigation document's `<nav epub:type="toc">`. */
export function parseNav(xhtml: string, navPath: string): TocEntry[] {
  const navs = descendants(parseMarkup(xhtml, 'xhtml'), 'nav');
  const toc = navs.find((n) => tokens(n, 'epub:type').includes('toc') || tokens(n, 'role').includes('doc-toc'));
  const list = toc ? firstDescendant(toc, 'ol') : undefined;
  const entries: TocEntry[] = [];
  if (list) readNavList(list, 1, navPath, entries);
  return entries;
}

function readNavList(list: MarkupElement, depth: number, navPath: string, entries: TocEntry[]): void {
  for (const item of childElements(list, 'li')) {
    // A <span> heading without a link groups entries but points nowhere itself.
    const link = childElements(item, 'a')[0];
    const href = link ? attribute(link, 'href') : undefined;
    if (link && href !== undefined) entries.push({ title: textContent(link), ...resolveHref(navPath, href), depth });
    for (const nested of childElements(item, 'ol')) readNavList(nested, depth + 1, navPath, entries);
  }
}

/** The entries of an EPUB 2 NCX's `navMap`. */
export function parseNcx(xml: string, ncxPath: string): TocEntry[] {
  const map = firstDescendant(parseMarkup(xml, 'xml'), 'navmap');
  const entries: TocEntry[] = [];
  if (map) readNavPoints(map, 1, ncxPath, entries);
  return entries;
}

function readNavPoints(parent: MarkupElement, depth: number, ncxPath: string, entries: TocEntry[]): void {
  for (const point of childElements(parent, 'navpoint')) {
    const label = childElements(point, 'navlabel')[0];
    const content = childElements(point, 'content')[0];
    const src = content ? attribute(content, 'src') : undefined;
    if (src !== undefined) {
      const title = label ? textContent(childElements(label, 'text')[0] ?? label) : '';
      entries.push({ title, ...resolveHref(ncxPath, src), depth });
    }
    readNavPoints(point, depth + 1, ncxPath, entries);
  }
}
