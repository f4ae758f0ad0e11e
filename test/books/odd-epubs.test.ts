import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { readEpub } from '../../src/books/read-epub.js';
import { UsageError } from '../../src/errors.js';
import { expectWordsMapBack, outline, spokenTexts } from './book-outline.js';
import { makeEpub, navDocument, ncxDocument, PNG, xhtml, type HandBook } from './hand-made-epub.js';

async function usageError(read: () => Promise<unknown>): Promise<UsageError> {
  try {
    await read();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('expected a UsageError');
}

const ONE_CHAPTER: HandBook = {
  items: [
    { id: 'nav', href: 'nav.xhtml', properties: 'nav', spine: false, content: navDocument([['ch1.xhtml', 'One']]) },
    { id: 'ch1', href: 'ch1.xhtml', content: xhtml('<h1>One</h1><p>Only text.</p>') },
  ],
};

describe('tables of contents', () => {
  test('an EPUB 2 book with only an NCX takes its chapters from the NCX, every level', async () => {
    const book = await readEpub(
      makeEpub({
        version: '2.0',
        spineToc: 'ncx',
        items: [
          { id: 'ncx', href: 'toc.ncx', content: ncxDocument([['part1.xhtml', 'Part One', [['ch1.xhtml', 'The First'], ['ch2.xhtml', 'The Second']]]]) },
          { id: 'p1', href: 'part1.xhtml', content: xhtml('<h1>Part One</h1>') },
          { id: 'c1', href: 'ch1.xhtml', content: xhtml('<h2>1</h2><p>First text.</p>') },
          { id: 'c2', href: 'ch2.xhtml', content: xhtml('<h2>2</h2><p>Second text.</p>') },
        ],
      }),
    );
    expect(outline(book)).toEqual([
      { title: 'Part One', speech: ['Part One.'] },
      { title: 'The First', speech: ['1.\n\nFirst text.'] },
      { title: 'The Second', speech: ['2.\n\nSecond text.'] },
    ]);
  });

  test('fragment links split one document into chapters; text before the first is the opening', async () => {
    const all = xhtml(`<p>Dedicated to the sea.</p>
      <section id="a"><h2>Alpha</h2><p>Text A.</p></section>
      <section><h2 id="b">Beta</h2><p>Text B.</p></section>
      <p>More B.</p><a name="c"/><h2>Gamma</h2><p>Text C.</p>`);
    const book = await readEpub(
      makeEpub({
        metadata: '<dc:title>Greek Letters</dc:title>',
        items: [
          { id: 'nav', href: 'nav.xhtml', properties: 'nav', spine: true, content: navDocument([['all.xhtml#a', 'Alpha'], ['all.xhtml#b', 'Beta'], ['all.xhtml#c', 'Gamma']]) },
          { id: 'all', href: 'all.xhtml', content: all },
        ],
      }),
    );
    // The navigation document is in the spine, and is not read.
    expect(outline(book)).toEqual([
      { title: 'Greek Letters', speech: ['Dedicated to the sea.'] },
      { title: 'Alpha', speech: ['Alpha.\n\nText A.'] },
      { title: 'Beta', speech: ['Beta.\n\nText B.\n\nMore B.'] },
      { title: 'Gamma', speech: ['Gamma.\n\nText C.'] },
    ]);
  });

  test('a fragment that names no element starts its chapter with the document', async () => {
    const book = await readEpub(
      makeEpub({
        items: [
          { id: 'nav', href: 'nav.xhtml', properties: 'nav', spine: false, content: navDocument([['a.xhtml', 'A'], ['b.xhtml#gone', 'B']]) },
          { id: 'a', href: 'a.xhtml', content: xhtml('<p>Text A.</p>') },
          { id: 'b', href: 'b.xhtml', content: xhtml('<p>Text B.</p>') },
        ],
      }),
    );
    expect(outline(book)).toEqual([
      { title: 'A', speech: ['Text A.'] },
      { title: 'B', speech: ['Text B.'] },
    ]);
  });

  test('footnotes follow the chapter that refers to them; a notes chapter keeps its own notes', async () => {
    const book = await readEpub(
      makeEpub({
        items: [
          { id: 'nav', href: 'nav.xhtml', properties: 'nav', spine: false, content: navDocument([['one.xhtml#s1', 'One'], ['one.xhtml#s2', 'Two'], ['notes.xhtml', 'Notes']]) },
          {
            id: 'one',
            href: 'one.xhtml',
            content: xhtml(`<section id="s1"><p>Alpha<a epub:type="noteref" href="#f1">1</a> and end<a epub:type="noteref" href="notes.xhtml#e1">2</a>.</p></section>
              <section id="s2"><p>Beta.</p></section>
              <aside epub:type="footnote" id="f1"><p>Foot one.</p></aside>`),
          },
          { id: 'notes', href: 'notes.xhtml', content: xhtml('<h1>Notes</h1><aside epub:type="endnote" id="e1"><p>End one.</p></aside>') },
        ],
      }),
    );
    expect(outline(book)).toEqual([
      { title: 'One', speech: ['Alpha and end.', 'Foot one.'] },
      { title: 'Two', speech: ['Beta.'] },
      { title: 'Notes', speech: ['Notes.', 'End one.'] },
    ]);
  });

  test('a chapter spanning several documents stays one chapter', async () => {
    const book = await readEpub(
      makeEpub({
        items: [
          { id: 'nav', href: 'nav.xhtml', properties: 'nav', spine: false, content: navDocument([['c1.xhtml', 'Long'], ['c2.xhtml', 'Short']]) },
          { id: 'c1', href: 'c1.xhtml', content: xhtml('<h1>Long</h1><p>Begins.</p>') },
          { id: 'c1b', href: 'c1b.xhtml', content: xhtml('<p>Continues.</p>') },
          { id: 'c1c', href: 'c1c.xhtml', content: xhtml('<p>Ends.</p>') },
          { id: 'c2', href: 'c2.xhtml', content: xhtml('<h1>Short</h1><p>Done.</p>') },
        ],
      }),
    );
    expect(outline(book)).toEqual([
      { title: 'Long', speech: ['Long.\n\nBegins.\n\nContinues.\n\nEnds.'] },
      { title: 'Short', speech: ['Short.\n\nDone.'] },
    ]);
  });

  test('without a table of contents, each document is a chapter named by its first heading', async () => {
    const book = await readEpub(
      makeEpub({
        items: [
          { id: 'a', href: 'a.xhtml', content: xhtml('<img src="cover.png" alt="cover"/>') },
          { id: 'b', href: 'b.xhtml', content: xhtml('<h2>Start <a href="#n" epub:type="noteref">1</a></h2><p>Go.</p>') },
          { id: 'c', href: 'c.xhtml', content: xhtml('<p>No heading here.</p>') },
        ],
      }),
    );
    expect(outline(book).map((c) => c.title)).toEqual(['Start', 'Chapter 2']);
  });

  test('two entries at one place give one chapter, named by the later one', async () => {
    const book = await readEpub(
      makeEpub({
        items: [
          { id: 'nav', href: 'nav.xhtml', properties: 'nav', spine: false, content: navDocument([['c1.xhtml', 'Part One', [['c1.xhtml', 'Chapter 1']]]]) },
          { id: 'c1', href: 'c1.xhtml', content: xhtml('<h1>Chapter 1</h1><p>Text.</p>') },
        ],
      }),
    );
    expect(outline(book).map((c) => c.title)).toEqual(['Chapter 1']);
  });
});

describe('the spine', () => {
  test('items marked linear="no" are not read', async () => {
    const book = await readEpub(
      makeEpub({
        items: [
          { id: 'nav', href: 'nav.xhtml', properties: 'nav', spine: false, content: navDocument([['c1.xhtml', 'One'], ['answers.xhtml', 'Answers']]) },
          { id: 'c1', href: 'c1.xhtml', content: xhtml('<p>Question?</p>') },
          { id: 'ans', href: 'answers.xhtml', linear: 'no', content: xhtml('<p>The answer.</p>') },
        ],
      }),
    );
    expect(outline(book)).toEqual([{ title: 'One', speech: ['Question?'] }]);
  });

  test('entities, named HTML entities, non-ASCII names and UTF-16 documents are read right', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xhtml('<p>Zwölf Boxkämpfer jagen Viktor.</p>'), 'utf16le')]);
    const book = await readEpub(
      makeEpub({
        metadata: '<dc:title>Crème &amp; Brûlée</dc:title><dc:creator>Zoë Ægir</dc:creator><dc:language>fr</dc:language>',
        items: [
          { id: 'nav', href: 'nav.xhtml', properties: 'nav', spine: false, content: navDocument([['cr%C3%A8me%20one.xhtml', 'Crème &amp; sucre'], ['de.xhtml', 'Deutsch']]) },
          {
            id: 'c1',
            href: 'cr%C3%A8me%20one.xhtml',
            content: xhtml('<p>L&#8217;&eacute;t&eacute; &amp; l&apos;hiver&nbsp;: «&#160;déjà&#xa0;» — 日本語です。</p>', {
              doctype: '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">',
            }),
          },
          { id: 'c2', href: 'de.xhtml', content: utf16 },
        ],
      }),
    );
    expect({ title: book.title, author: book.author, language: book.language }).toEqual({ title: 'Crème & Brûlée', author: 'Zoë Ægir', language: 'fr' });
    expect(outline(book)).toEqual([
      { title: 'Crème & sucre', speech: ['L’été & l\'hiver : « déjà » — 日本語です。'] },
      { title: 'Deutsch', speech: ['Zwölf Boxkämpfer jagen Viktor.'] },
    ]);
  });

  test('spoken words map back to the documents read, one after another', async () => {
    const one = xhtml('<h1>Uno</h1><p>Primero &amp; segundo.</p>');
    const two = xhtml('<p>Tercero <em>y</em> cuarto.</p>');
    const book = await readEpub(
      makeEpub({
        items: [
          { id: 'a', href: 'a.xhtml', content: one },
          { id: 'b', href: 'b.xhtml', content: two },
        ],
      }),
    );
    const [first, second] = spokenTexts(book);
    expect([first?.text, second?.text]).toEqual(['Uno.\n\nPrimero & segundo.', 'Tercero y cuarto.']);
    for (const spoken of spokenTexts(book)) expectWordsMapBack(spoken, one + two);
  });
});

describe('metadata and cover', () => {
  test('EPUB 3: the main title, the authors but not the editor, and the cover-image item', async () => {
    const book = await readEpub(
      makeEpub({
        metadata: `<dc:title id="t2">A Subtitle</dc:title><dc:title id="t1">The Main Title</dc:title>
          <meta refines="#t1" property="title-type">main</meta><meta refines="#t2" property="title-type">subtitle</meta>
          <dc:creator id="a1">First Author</dc:creator><meta refines="#a1" property="role" scheme="marc:relators">aut</meta>
          <dc:creator id="e1">An Editor</dc:creator><meta refines="#e1" property="role" scheme="marc:relators">edt</meta>
          <dc:creator id="a2">Second Author</dc:creator><meta refines="#a2" property="role" scheme="marc:relators">aut</meta>
          <dc:language>de-AT</dc:language>`,
        items: [...ONE_CHAPTER.items, { id: 'img1', href: 'images/front.png', properties: 'cover-image', content: PNG }],
      }),
    );
    expect({ title: book.title, author: book.author, language: book.language }).toEqual({
      title: 'The Main Title',
      author: 'First Author, Second Author',
      language: 'de-AT',
    });
    expect(book.cover?.mime).toBe('image/png');
    expect(Buffer.from(book.cover!.data)).toEqual(PNG);
  });

  test('EPUB 2: <meta name="cover"> names the cover item; opf:role picks the authors', async () => {
    const book = await readEpub(
      makeEpub({
        version: '2.0',
        metadata: `<dc:title>Old Style</dc:title><dc:creator opf:role="ill">Drawer</dc:creator><dc:creator opf:role="aut" opf:file-as="Writer, Wendy">Wendy Writer</dc:creator><meta name="cover" content="cov"/>`,
        items: [...ONE_CHAPTER.items, { id: 'cov', href: 'cover.jpg', content: PNG.subarray(0, 20) }],
      }),
    );
    expect(book.author).toBe('Wendy Writer');
    expect(book.cover?.mime).toBe('image/jpeg');
    expect(book.cover?.data.length).toBe(20);
  });

  test('a book without metadata or cover still reads', async () => {
    const book = await readEpub(makeEpub({ ...ONE_CHAPTER, metadata: '' }));
    expect([book.title, book.author, book.language, book.cover]).toEqual([undefined, undefined, undefined, undefined]);
    expect(outline(book)).toEqual([{ title: 'One', speech: ['One.\n\nOnly text.'] }]);
  });
});

describe('books that cannot be read: exit 2 with what is wrong', () => {
  test('a truncated file', async () => {
    const bytes = makeEpub(ONE_CHAPTER);
    const error = await usageError(() => readEpub(bytes.subarray(0, bytes.length - 30), { name: 'book.epub' }));
    expect(error.message).toBe('book.epub: the EPUB is damaged: it is not a complete zip archive (truncated, or not an EPUB at all)');
    expect(error.hint).toMatch(/Download it again/);
  });

  test('a chapter whose compressed bytes are corrupt', async () => {
    const long = xhtml(`<p>${'The keeper climbed the stairs again. '.repeat(200)}</p>`);
    const bytes = Buffer.from(makeEpub({ items: [{ id: 'c1', href: 'c1.xhtml', content: long }] }));
    // The entry's local header: 30 bytes, then its name (first met here, before the central directory).
    const header = bytes.indexOf('OEBPS/c1.xhtml') - 30;
    const data = header + 30 + bytes.readUInt16LE(header + 26) + bytes.readUInt16LE(header + 28);
    bytes.fill(0xff, data + 2, data + 40);
    const error = await usageError(() => readEpub(bytes));
    expect(error.message).toMatch(/^the EPUB: the EPUB is damaged: OEBPS\/c1.xhtml cannot be unpacked \(.+\)$/);
  });

  test('a file that is not a zip', async () => {
    const error = await usageError(() => readEpub(Buffer.from('<html>not a book</html>')));
    expect(error.message).toMatch(/^the EPUB: the EPUB is damaged: it is not a complete zip/);
  });

  test('a zip without META-INF/container.xml', async () => {
    const bytes = zipSync({ 'notes.txt': strToU8('hello') });
    const error = await usageError(() => readEpub(bytes));
    expect(error.message).toMatch(/META-INF\/container.xml is missing/);
  });

  test('a container naming a package that is not there', async () => {
    const bytes = makeEpub({ ...ONE_CHAPTER, folder: 'OEBPS' });
    const files = unzipSync(bytes);
    delete files['OEBPS/content.opf'];
    const error = await usageError(() => readEpub(zipSync(files)));
    expect(error.message).toMatch(/the package document OEBPS\/content.opf, named in META-INF\/container.xml, is missing/);
  });

  test('a spine item missing from the zip', async () => {
    const book: HandBook = { items: [...ONE_CHAPTER.items, { id: 'ch2', href: 'text/ch2.xhtml' }] };
    const error = await usageError(() => readEpub(makeEpub(book)));
    expect(error.message).toBe(
      'the EPUB: the EPUB is damaged: OEBPS/text/ch2.xhtml, a part of the book listed in its spine, is missing from the archive',
    );
  });

  test('a spine naming an item the manifest lacks', async () => {
    const bytes = makeEpub(ONE_CHAPTER);
    const files = unzipSync(bytes);
    files['OEBPS/content.opf'] = strToU8(strFromU8(files['OEBPS/content.opf']!).replace('<itemref idref="ch1"/>', '<itemref idref="ghost"/>'));
    const error = await usageError(() => readEpub(zipSync(files)));
    expect(error.message).toMatch(/the spine lists "ghost", which the manifest/);
  });

  test('DRM: encrypted content documents', async () => {
    const encryption = `<?xml version="1.0"?>
      <encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" xmlns:enc="http://www.w3.org/2001/04/xmlenc#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <enc:EncryptedData><enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>
          <ds:KeyInfo><resource xmlns="http://ns.adobe.com/adept">urn:uuid:0</resource></ds:KeyInfo>
          <enc:CipherData><enc:CipherReference URI="OEBPS/ch1.xhtml"/></enc:CipherData></enc:EncryptedData>
      </encryption>`;
    const error = await usageError(() => readEpub(makeEpub({ ...ONE_CHAPTER, extra: { 'META-INF/encryption.xml': encryption } }), { name: 'locked.epub' }));
    expect(error.message).toBe('locked.epub is locked with DRM: its text is encrypted (OEBPS/ch1.xhtml), so it cannot be read');
    expect(error.hint).toMatch(/DRM-free/);
  });

  test('font obfuscation alone is not DRM', async () => {
    const encryption = `<?xml version="1.0"?>
      <encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" xmlns:enc="http://www.w3.org/2001/04/xmlenc#">
        <enc:EncryptedData><enc:EncryptionMethod Algorithm="http://www.idpf.org/2008/embedding"/>
          <enc:CipherData><enc:CipherReference URI="OEBPS/fonts/serif.otf"/></enc:CipherData></enc:EncryptedData>
      </encryption>`;
    const items = [...ONE_CHAPTER.items, { id: 'font', href: 'fonts/serif.otf', mediaType: 'font/otf', content: 'obfuscated' }];
    const book = await readEpub(makeEpub({ items, extra: { 'META-INF/encryption.xml': encryption } }));
    expect(outline(book).map((c) => c.title)).toEqual(['One']);
  });

  test('a book of images only has nothing to say', async () => {
    const book: HandBook = { items: [{ id: 'p1', href: 'p1.xhtml', content: xhtml('<img src="p1.jpg" alt=""/>') }] };
    const error = await usageError(() => readEpub(makeEpub(book), { name: 'comic.epub' }));
    expect(error.message).toBe('comic.epub: the book has no text to speak');
  });

  test('a path that does not exist, read through readEpub', async () => {
    await expect(readEpub('/nonexistent/book.epub')).rejects.toThrow('Cannot read /nonexistent/book.epub: no such file');
  });

  test('a damaged file read from a path names the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tts-books-'));
    try {
      writeFileSync(join(dir, 'half.epub'), makeEpub(ONE_CHAPTER).subarray(0, 200));
      await expect(readEpub(join(dir, 'half.epub'))).rejects.toThrow(`${join(dir, 'half.epub')}: the EPUB is damaged`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
