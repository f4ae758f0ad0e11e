import {
  attribute,
  childElements,
  collapseWhitespace,
  descendants,
  firstDescendant,
  parseMarkup,
  textContent,
  tokens,
  type MarkupElement,
} from './markup-tree.js';

/** A manifest item, its href resolved to a path inside the zip. */
export interface ManifestItem {
  id: string;
  path: string;
  mediaType: string;
  properties: string[];
}

export interface SpineItem {
  item: ManifestItem;
  /** `linear="no"`: an aside the reading order skips (answers, pop-up notes), shown only when linked. */
  linear: boolean;
}

export interface EpubPackage {
  title?: string | undefined;
  author?: string | undefined;
  language?: string | undefined;
  manifest: Map<string, ManifestItem>;
  spine: SpineItem[];
  /** Spine idrefs that name no manifest item: a damaged package. */
  missingIds: string[];
  /** The EPUB 3 navigation document. */
  nav?: ManifestItem | undefined;
  /** The EPUB 2 NCX (the spine's `toc`, else any item of its media type). */
  ncx?: ManifestItem | undefined;
  /** The EPUB 2 guide's table-of-contents page, an HTML copy of the NCX that is not to be spoken. */
  guideToc?: string | undefined;
  cover?: ManifestItem | undefined;
}

/** The package document's path, from META-INF/container.xml. */
export function packagePath(containerXml: string): string | undefined {
  const rootfiles = descendants(parseMarkup(containerXml, 'xml'), 'rootfile');
  const preferred = rootfiles.find((r) => attribute(r, 'media-type') === 'application/oebps-package+xml') ?? rootfiles[0];
  const path = preferred === undefined ? undefined : attribute(preferred, 'full-path');
  return path === undefined ? undefined : decodePath(path);
}

/** A path inside the zip from an href relative to the document at `from`, and its fragment. */
export function resolveHref(from: string, href: string): { path: string; fragment: string | undefined } {
  const url = new URL(href, `http://epub.invalid/${from.split('/').map(encodeURIComponent).join('/')}`);
  const fragment = url.hash.length > 1 ? decodePath(url.hash.slice(1)) : undefined;
  return { path: decodePath(url.pathname.slice(1)), fragment };
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

export function parsePackage(opfXml: string, opfPath: string): EpubPackage {
  const root = parseMarkup(opfXml, 'xml');
  const pkg = firstDescendant(root, 'package') ?? root;
  const metadata = firstDescendant(pkg, 'metadata');
  const manifest = readManifest(firstDescendant(pkg, 'manifest'), opfPath);
  const spineElement = firstDescendant(pkg, 'spine');
  const { spine, missingIds } = readSpine(spineElement, manifest);
  const items = [...manifest.values()];
  const tocId = spineElement ? attribute(spineElement, 'toc') : undefined;
  const guide = firstDescendant(pkg, 'guide');
  const guideTocRef = guide ? childElements(guide, 'reference').find((r) => attribute(r, 'type')?.toLowerCase() === 'toc') : undefined;
  const guideHref = guideTocRef ? attribute(guideTocRef, 'href') : undefined;
  return {
    ...(metadata ? readMetadata(metadata) : {}),
    manifest,
    spine,
    missingIds,
    nav: items.find((i) => i.properties.includes('nav')),
    ncx: (tocId !== undefined ? manifest.get(tocId) : undefined) ?? items.find((i) => i.mediaType === 'application/x-dtbncx+xml'),
    guideToc: guideHref === undefined ? undefined : resolveHref(opfPath, guideHref).path,
    cover: findCover(metadata, manifest),
  };
}

function readManifest(manifest: MarkupElement | undefined, opfPath: string): Map<string, ManifestItem> {
  const items = new Map<string, ManifestItem>();
  for (const element of manifest ? childElements(manifest, 'item') : []) {
    const id = attribute(element, 'id');
    const href = attribute(element, 'href');
    if (id === undefined || href === undefined) continue;
    items.set(id, {
      id,
      path: resolveHref(opfPath, href).path,
      mediaType: (attribute(element, 'media-type') ?? '').toLowerCase(),
      properties: tokens(element, 'properties'),
    });
  }
  return items;
}

function readSpine(spine: MarkupElement | undefined, manifest: Map<string, ManifestItem>): { spine: SpineItem[]; missingIds: string[] } {
  const items: SpineItem[] = [];
  const missingIds: string[] = [];
  for (const ref of spine ? childElements(spine, 'itemref') : []) {
    const idref = attribute(ref, 'idref') ?? '';
    const item = manifest.get(idref);
    if (!item) missingIds.push(idref);
    else items.push({ item, linear: attribute(ref, 'linear')?.trim().toLowerCase() !== 'no' });
  }
  return { spine: items, missingIds };
}

interface Metadata {
  title?: string;
  author?: string;
  language?: string;
}

function readMetadata(metadata: MarkupElement): Metadata {
  // EPUB 3 refines a title or creator with <meta refines="#id" property="…">; EPUB 2 uses opf: attributes.
  const refinements = new Map<string, string>();
  for (const meta of childElements(metadata, 'meta')) {
    const refines = attribute(meta, 'refines');
    const property = attribute(meta, 'property');
    if (refines?.startsWith('#') && property !== undefined) {
      refinements.set(`${refines.slice(1)} ${property}`, textContent(meta).toLowerCase());
    }
  }
  const refined = (element: MarkupElement, property: string): string | undefined => {
    const id = attribute(element, 'id');
    return id === undefined ? undefined : refinements.get(`${id} ${property}`);
  };
  const titles = childElements(metadata, 'title');
  const title = titles.find((t) => refined(t, 'title-type') === 'main') ?? titles[0];
  const creators = childElements(metadata, 'creator');
  const role = (c: MarkupElement): string | undefined => (refined(c, 'role') ?? attribute(c, 'role'))?.toLowerCase();
  const authors = creators.filter((c) => role(c) === undefined || role(c) === 'aut');
  const names = (authors.length > 0 ? authors : creators).map(textContent).filter(Boolean);
  const language = childElements(metadata, 'language').map(textContent).find(Boolean);
  const result: Metadata = {};
  if (title && textContent(title)) result.title = textContent(title);
  if (names.length > 0) result.author = names.join(', ');
  if (language) result.language = language;
  return result;
}

/** EPUB 3 marks the cover image `properties="cover-image"`; EPUB 2 names it in `<meta name="cover">`. */
function findCover(metadata: MarkupElement | undefined, manifest: Map<string, ManifestItem>): ManifestItem | undefined {
  const items = [...manifest.values()];
  const marked = items.find((i) => i.properties.includes('cover-image'));
  if (marked) return marked;
  const meta = metadata ? childElements(metadata, 'meta').find((m) => attribute(m, 'name')?.toLowerCase() === 'cover') : undefined;
  const content = meta ? collapseWhitespace(attribute(meta, 'content') ?? '') : '';
  if (content === '') return undefined;
  // Some books put the image's href where its id belongs.
  const named = manifest.get(content) ?? items.find((i) => i.path.endsWith(content));
  return named?.mediaType.startsWith('image/') ? named : undefined;
}

/** Media types a reader can speak: XHTML content documents (and HTML, which some books use). */
export function isContentDocument(item: ManifestItem): boolean {
  return item.mediaType === 'application/xhtml+xml' || item.mediaType === 'text/html';
}
