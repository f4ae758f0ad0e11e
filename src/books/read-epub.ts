import { UsageError } from '../errors.js';
import type { DocumentInfo, SpeechDocument } from '../plan/segment.js';
import { isContentDocument, packagePath, parsePackage, resolveHref, type EpubPackage, type ManifestItem } from './epub-package.js';
import { parseNav, parseNcx, type TocEntry } from './epub-toc.js';
import { speakElement, spokenLabel, type NotePlacement } from './html-to-speech.js';
import { attribute, descendants, isElement, localName, parseMarkup, type MarkupElement } from './markup-tree.js';
import { SpeechWriter } from './speech-writer.js';
import { damaged, ZipArchive } from './zip-archive.js';

export interface BookOptions {
  /** Footnotes and endnotes after their chapter's text (the default), or left out. */
  notes?: NotePlacement | undefined;
  /** The deepest table-of-contents level that starts a chapter (1: top level only); every level by default. */
  tocDepth?: number | undefined;
  /** The input's name in messages, e.g. its path. */
  name?: string | undefined;
}

/**
 * An EPUB 2 or 3 book (its path, or the file's bytes) as speech: the spine's linear documents in
 * order, a chapter per entry of the navigation document (else the NCX; else one per document),
 * split at fragment links, continued across documents the TOC does not name. The navigation page
 * is not spoken; text before the first entry (a title page) is a chapter titled after the book.
 * Source offsets count UTF-16 units through the read documents' decoded text, one after another.
 * A damaged or DRM-locked book, or one with nothing to say, is a UsageError.
 */
export async function readEpub(source: Uint8Array | string, options: BookOptions = {}): Promise<SpeechDocument> {
  const label = options.name ?? (typeof source === 'string' ? source : 'the EPUB');
  const zip = await ZipArchive.open(source, label);
  try {
    const pkg = await openPackage(zip, label);
    await refuseDrm(zip, pkg, label);
    const reading = readingOrder(zip, pkg, label);
    const depth = Math.max(1, options.tocDepth ?? Infinity);
    const toc = (await readToc(zip, pkg)).filter((e) => e.depth <= depth);
    const writer = new SpeechWriter();
    await speakDocuments(zip, reading, toc, writer, options.notes ?? 'end-of-chapter');
    const segments = writer.segments(pkg.title ?? 'Opening');
    if (segments.length === 0) {
      throw new UsageError(`${label}: the book has no text to speak`, {
        hint: 'It may hold only images (a comic or a scanned book); those cannot be read aloud.',
      });
    }
    return { ...(await documentInfo(zip, pkg)), segments };
  } finally {
    zip.close();
  }
}

async function openPackage(zip: ZipArchive, label: string): Promise<EpubPackage> {
  const container = await zip.readText('META-INF/container.xml');
  if (container === undefined) throw damaged(label, 'META-INF/container.xml is missing, so there is no way to find its contents');
  const opfPath = packagePath(container);
  if (opfPath === undefined) throw damaged(label, 'META-INF/container.xml names no package document');
  const opf = await zip.readText(opfPath);
  if (opf === undefined) throw damaged(label, `the package document ${opfPath}, named in META-INF/container.xml, is missing`);
  const pkg = parsePackage(opf, opfPath);
  const missing = pkg.missingIds[0];
  if (missing !== undefined) throw damaged(label, `the spine lists "${missing}", which the manifest of ${opfPath} does not have`);
  return pkg;
}

/**
 * Adobe and Apple DRM encrypt the content documents and list them in META-INF/encryption.xml. Fonts
 * alone may be listed there too (font obfuscation), which is no lock on the text.
 */
async function refuseDrm(zip: ZipArchive, pkg: EpubPackage, label: string): Promise<void> {
  const encryption = await zip.readText('META-INF/encryption.xml');
  if (encryption === undefined) return;
  const textPaths = new Set([...pkg.manifest.values()].filter((i) => isContentDocument(i) || i === pkg.ncx).map((i) => i.path));
  const locked = descendants(parseMarkup(encryption, 'xml'), 'cipherreference')
    .map((reference) => resolveHref('', attribute(reference, 'uri') ?? '').path)
    .filter((path) => textPaths.has(path));
  if (locked.length > 0) {
    const which = locked.length === 1 ? locked[0] : `${locked[0]} and ${locked.length - 1} more`;
    throw new UsageError(`${label} is locked with DRM: its text is encrypted (${which}), so it cannot be read`, {
      hint: 'Only DRM-free books can be read aloud. Use a DRM-free edition of the book.',
    });
  }
}

/**
 * The documents that are read, in order. `linear="no"` items are left out: they are asides outside
 * the reading order (answers, pop-up notes) that a reader shows only when a link leads there.
 */
function readingOrder(zip: ZipArchive, pkg: EpubPackage, label: string): ManifestItem[] {
  const notSpoken = new Set([pkg.nav?.path, pkg.guideToc]);
  const reading = pkg.spine
    .filter((s) => s.linear && isContentDocument(s.item) && !notSpoken.has(s.item.path))
    .map((s) => s.item);
  for (const item of reading) {
    if (!zip.has(item.path)) throw damaged(label, `${item.path}, a part of the book listed in its spine, is missing from the archive`);
  }
  return reading;
}

async function readToc(zip: ZipArchive, pkg: EpubPackage): Promise<TocEntry[]> {
  const nav = pkg.nav && (await zip.readText(pkg.nav.path));
  const fromNav = pkg.nav && nav !== undefined ? parseNav(nav, pkg.nav.path) : [];
  if (fromNav.length > 0) return fromNav;
  const ncx = pkg.ncx && (await zip.readText(pkg.ncx.path));
  return pkg.ncx && ncx !== undefined ? parseNcx(ncx, pkg.ncx.path) : [];
}

async function speakDocuments(zip: ZipArchive, reading: ManifestItem[], toc: TocEntry[], writer: SpeechWriter, notes: NotePlacement): Promise<void> {
  const readingPaths = new Set(reading.map((i) => i.path));
  const entriesByPath = new Map<string, TocEntry[]>();
  for (const entry of toc) {
    if (!readingPaths.has(entry.path)) continue;
    entriesByPath.set(entry.path, [...(entriesByPath.get(entry.path) ?? []), entry]);
  }
  // A book without a usable table of contents gets a chapter per document, named by its first heading.
  const perDocument = entriesByPath.size === 0;
  let offset = 0;
  for (const item of reading) {
    const text = (await zip.readText(item.path)) ?? '';
    const root = parseMarkup(text, item.mediaType === 'text/html' ? 'html' : 'xhtml');
    writer.base = offset;
    offset += text.length;
    const anchors = perDocument ? undefined : startChapters(root, entriesByPath.get(item.path) ?? [], writer);
    if (perDocument) writer.chapter(firstHeadingLabel(root));
    speakElement(root, writer, { mode: 'book', notes, anchors, path: item.path });
  }
}

/** Starts the chapters that begin with the document; returns the ids where the others begin. */
function startChapters(root: MarkupElement, entries: TocEntry[], writer: SpeechWriter): Map<string, string[]> {
  const ids = entries.some((e) => e.fragment !== undefined) ? collectIds(root) : new Set<string>();
  const anchors = new Map<string, string[]>();
  for (const entry of entries) {
    // A fragment that names no element in the document is taken to mean its start.
    if (entry.fragment === undefined || !ids.has(entry.fragment)) writer.chapter(entry.title);
    else anchors.set(entry.fragment, [...(anchors.get(entry.fragment) ?? []), entry.title]);
  }
  return anchors;
}

function collectIds(element: MarkupElement, ids = new Set<string>()): Set<string> {
  for (const child of element.children) {
    if (!isElement(child)) continue;
    const id = child.attrs['id'];
    if (id !== undefined) ids.add(id);
    const name = localName(child.name) === 'a' ? child.attrs['name'] : undefined;
    if (name !== undefined) ids.add(name);
    collectIds(child, ids);
  }
  return ids;
}

function firstHeadingLabel(root: MarkupElement): string {
  for (const level of ['h1', 'h2', 'h3', 'h4', 'h5', 'h6']) {
    const heading = descendants(root, level)[0];
    const label = heading ? spokenLabel(heading, 'book') : '';
    if (label !== '') return label;
  }
  return '';
}

async function documentInfo(zip: ZipArchive, pkg: EpubPackage): Promise<DocumentInfo> {
  const coverBytes = pkg.cover ? await zip.read(pkg.cover.path) : undefined;
  return {
    title: pkg.title,
    author: pkg.author,
    language: pkg.language,
    cover: pkg.cover && coverBytes ? { mime: pkg.cover.mediaType, data: coverBytes } : undefined,
  };
}
