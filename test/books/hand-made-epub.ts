import { strToU8, zipSync, type Zippable } from 'fflate';

/** A 1×1 PNG: the smallest cover pandoc accepts. */
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

/** One manifest item of a hand-made book, and its file (left out of the zip when `content` is undefined). */
export interface HandItem {
  id: string;
  href: string;
  mediaType?: string;
  properties?: string;
  /** Listed in the spine, in the order given (default: yes for XHTML). */
  spine?: boolean;
  linear?: 'no';
  content?: string | Uint8Array;
}

export interface HandBook {
  version?: '2.0' | '3.0';
  /** XML inside <metadata>. */
  metadata?: string;
  items: HandItem[];
  /** The spine's toc attribute (an NCX item's id). */
  spineToc?: string;
  /** More zip entries, such as META-INF/encryption.xml, by path. */
  extra?: Record<string, string>;
  /** Package folder. */
  folder?: string;
}

/** An XHTML content document around `body`. */
export function xhtml(body: string, options: { title?: string; doctype?: string } = {}): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
${options.doctype ?? '<!DOCTYPE html>'}
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">
<head><title>${options.title ?? 'Document'}</title><style>p { margin: 0 }</style></head>
<body>
${body}
</body>
</html>
`;
}

/** An EPUB 3 navigation document whose toc lists `entries` ([href, title], nested with arrays). */
export function navDocument(entries: NavEntry[]): string {
  const list = (items: NavEntry[]): string =>
    `<ol>${items.map(([href, title, children]) => `<li><a href="${href}">${title}</a>${children ? list(children) : ''}</li>`).join('')}</ol>`;
  return xhtml(`<nav epub:type="toc" id="toc"><h1>Contents</h1>${list(entries)}</nav>`, { title: 'Contents' });
}
export type NavEntry = [href: string, title: string, children?: NavEntry[]];

/** An EPUB 2 NCX listing `entries`. */
export function ncxDocument(entries: NavEntry[]): string {
  let order = 0;
  const points = (items: NavEntry[]): string =>
    items
      .map(([href, title, children]) => {
        order++;
        return `<navPoint id="p${order}" playOrder="${order}"><navLabel><text>${title}</text></navLabel><content src="${href}"/>${children ? points(children) : ''}</navPoint>`;
      })
      .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">
<head><meta name="dtb:uid" content="x"/></head>
<docTitle><text>Book</text></docTitle>
<navMap>
${points(entries)}
</navMap>
</ncx>
`;
}

/** A zip laid out as an EPUB: `mimetype` first and stored, the container, the package, the files. */
export function makeEpub(book: HandBook): Uint8Array {
  const folder = book.folder ?? 'OEBPS';
  const files: Zippable = {
    mimetype: [strToU8('application/epub+zip'), { level: 0 }],
    'META-INF/container.xml': strToU8(`<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="${folder}/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>`),
    [`${folder}/content.opf`]: strToU8(packageDocument(book)),
  };
  for (const item of book.items) {
    if (item.content === undefined) continue;
    files[`${folder}/${decodeURIComponent(item.href)}`] = typeof item.content === 'string' ? strToU8(item.content) : item.content;
  }
  for (const [path, content] of Object.entries(book.extra ?? {})) files[path] = strToU8(content);
  return zipSync(files);
}

function packageDocument(book: HandBook): string {
  const manifest = book.items
    .map((i) => `<item id="${i.id}" href="${i.href}" media-type="${mediaType(i)}"${i.properties ? ` properties="${i.properties}"` : ''}/>`)
    .join('\n    ');
  const spine = book.items
    .filter((i) => i.spine ?? mediaType(i) === 'application/xhtml+xml')
    .map((i) => `<itemref idref="${i.id}"${i.linear ? ` linear="${i.linear}"` : ''}/>`)
    .join('\n    ');
  return `<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="${book.version ?? '3.0'}" unique-identifier="id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
    <dc:identifier id="id">urn:uuid:1</dc:identifier>
    ${book.metadata ?? '<dc:title>Hand Made</dc:title><dc:language>en</dc:language>'}
  </metadata>
  <manifest>
    ${manifest}
  </manifest>
  <spine${book.spineToc ? ` toc="${book.spineToc}"` : ''}>
    ${spine}
  </spine>
</package>
`;
}

function mediaType(item: HandItem): string {
  if (item.mediaType) return item.mediaType;
  if (item.href.endsWith('.ncx')) return 'application/x-dtbncx+xml';
  if (item.href.endsWith('.png')) return 'image/png';
  if (item.href.endsWith('.jpg')) return 'image/jpeg';
  if (item.href.endsWith('.css')) return 'text/css';
  return 'application/xhtml+xml';
}
