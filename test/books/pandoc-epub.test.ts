import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readEpub } from '../../src/books/read-epub.js';
import { requireTool } from '../helpers/audio-tools.js';
import { expectWordsMapBack, outline, spokenTexts } from './book-outline.js';
import { PNG } from './hand-made-epub.js';


const BOOK = `---
title: The Lighthouse Keeper
author:
- Ada Wren
- Ben Stone
lang: en-GB
---

# The Storm

It was a dark night.[^ink] The wind howled & the sea rose \\<above\\> the rocks.

![A lighthouse in a storm](cover.png)

## Below Deck

- Rope
- Lantern

\`\`\`
print("never read aloud")
\`\`\`

# Morning Light

Café au lait, naïve résumé — “quoted” text.[^second]

| Name | Age |
|------|-----|
| Ann  | 31  |

[^ink]: As dark as ink.
[^second]: A second note, *with emphasis*.
`;

/** The chapters pandoc's EPUB 2 and EPUB 3 both give, read the same way. */
const CHAPTERS = [
  { title: 'The Lighthouse Keeper', speech: ['The Lighthouse Keeper.\n\nAda Wren\n\nBen Stone'] },
  {
    title: 'The Storm',
    speech: ['The Storm.\n\nIt was a dark night. The wind howled & the sea rose <above> the rocks.\n\nA lighthouse in a storm', 'As dark as ink.'],
  },
  { title: 'Below Deck', speech: ['Below Deck.\n\nRope.\nLantern.'] },
  {
    title: 'Morning Light',
    speech: ['Morning Light.\n\nCafé au lait, naïve résumé — “quoted” text.\n\nName, Age.\nAnn, 31.', 'A second note, with emphasis.'],
  },
];

let dir: string;
beforeAll(() => {
  requireTool('pandoc');
  dir = mkdtempSync(join(tmpdir(), 'tts-books-'));
  writeFileSync(join(dir, 'book.md'), BOOK);
  writeFileSync(join(dir, 'cover.png'), PNG);
  for (const version of ['epub2', 'epub3']) {
    execFileSync('pandoc', ['book.md', '-t', version, '--epub-cover-image=cover.png', '-o', `${version}.epub`], { cwd: dir });
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(['epub2', 'epub3'])('a book pandoc made as %s', (version) => {
  test('has its chapters, titled from the table of contents, with markers gone and notes after their chapter', async () => {
    const book = await readEpub(join(dir, `${version}.epub`));
    expect(outline(book)).toEqual(CHAPTERS);
  });

  test('has the title, authors, language and cover of its package', async () => {
    const book = await readEpub(join(dir, `${version}.epub`));
    expect({ title: book.title, author: book.author, language: book.language }).toEqual({
      title: 'The Lighthouse Keeper',
      author: 'Ada Wren, Ben Stone',
      language: 'en-GB',
    });
    expect(book.cover?.mime).toBe('image/png');
    expect(Buffer.from(book.cover!.data)).toEqual(PNG);
  });

  test('maps every spoken word back to its place in the book documents, read one after another', async () => {
    const bytes = readFileSync(join(dir, `${version}.epub`));
    const files = unzipSync(bytes);
    const order = ['EPUB/text/cover.xhtml', 'EPUB/text/title_page.xhtml', 'EPUB/text/ch001.xhtml', 'EPUB/text/ch002.xhtml'];
    const source = order.map((path) => strFromU8(files[path]!)).join('');
    for (const spoken of spokenTexts(await readEpub(bytes))) expectWordsMapBack(spoken, source);
  });

  test('can leave the notes out', async () => {
    const book = await readEpub(join(dir, `${version}.epub`), { notes: 'drop' });
    expect(outline(book).map((c) => c.speech.length)).toEqual([1, 1, 1, 1]);
    expect(outline(book)[1]!.speech[0]).not.toContain('ink');
  });

  test('can take its chapters from the top level of the table of contents only', async () => {
    const book = await readEpub(join(dir, `${version}.epub`), { tocDepth: 1 });
    expect(outline(book).map((c) => c.title)).toEqual(['The Lighthouse Keeper', 'The Storm', 'Morning Light']);
    expect(outline(book)[1]!.speech[0]).toContain('Below Deck.\n\nRope.');
  });
});
