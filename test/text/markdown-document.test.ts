import { describe, expect, test } from 'vitest';
import type { Segment } from '../../src/plan/segment.js';
import { markdownDocument } from '../../src/text/markdown-document.js';
import { sourceOffset, type SpokenText } from '../../src/text/spoken-text.js';

/** The segments as a reader of the plan sees them: chapter titles and spoken words. */
const outline = (segments: Segment[]) => segments.map((s) => (s.kind === 'chapter' ? `# ${s.title}` : s.kind === 'speech' ? s.text.text : s.kind));

describe('a Markdown file as a book', () => {
  test('a chapter at each # heading, the speech between them, title and author from the front matter', () => {
    const source = '---\ntitle: The Book\nauthor: Ann Lee\n---\n\nA preface.\n\n# One\n\nFirst text.\n\n## A section\n\nMore.\n\n# Two\n\nSecond text.';
    const book = markdownDocument(source);
    expect(book.title).toBe('The Book');
    expect(book.author).toBe('Ann Lee');
    expect(outline(book.segments)).toEqual(['A preface.', '# One', 'One.\n\nFirst text.\n\nA section.\n\nMore.', '# Two', 'Two.\n\nSecond text.']);
    for (const segment of book.segments) if (segment.kind === 'speech') expect(segment.style).toEqual({});
  });

  test('with no # heading, ## headings start chapters', () => {
    const book = markdownDocument('## First\n\nText.\n\n### Sub\n\nMore.\n\n## Second\n\nEnd.');
    expect(outline(book.segments)).toEqual(['# First', 'First.\n\nText.\n\nSub.\n\nMore.', '# Second', 'Second.\n\nEnd.']);
    expect(book.title).toBeUndefined();
  });

  test('a lone # heading over ## headings is the title and the first chapter; the ## start the rest', () => {
    const book = markdownDocument('# My Project\n\nIntro.\n\n## Install\n\nSteps.\n\n## Use\n\nMore.');
    expect(book.title).toBe('My Project');
    expect(outline(book.segments)).toEqual(['# My Project', 'My Project.\n\nIntro.', '# Install', 'Install.\n\nSteps.', '# Use', 'Use.\n\nMore.']);
  });

  test('without front matter the first # heading is the title; several # headings are all chapters', () => {
    const book = markdownDocument('# Alpha *one*\n\n## Inside\n\n# Beta\n\nText.');
    expect(book.title).toBe('Alpha one');
    expect(book.author).toBeUndefined();
    expect(outline(book.segments)).toEqual(['# Alpha one', 'Alpha one.\n\nInside.', '# Beta', 'Beta.\n\nText.']);
  });

  test('no headings: one stretch of speech, no chapter', () => {
    expect(outline(markdownDocument('Just text.\n\nAnd more.').segments)).toEqual(['Just text.\n\nAnd more.']);
    expect(markdownDocument('').segments).toEqual([]);
  });

  test("each speech segment's map still points into the Markdown file", () => {
    const source = '# One\n\nAlpha **beta**.\n\n# Two\n\n> Gamma &amp; delta.';
    const speech = markdownDocument(source).segments.filter((s): s is Extract<Segment, { kind: 'speech' }> => s.kind === 'speech');
    const at = (text: SpokenText, word: string) => sourceOffset(text, text.text.indexOf(word));
    expect(speech.map((s) => s.text.text)).toEqual(['One.\n\nAlpha beta.', 'Two.\n\nGamma & delta.']);
    for (const word of ['One', 'Alpha', 'beta']) expect(at(speech[0]!.text, word)).toBe(source.indexOf(word));
    for (const word of ['Two', 'Gamma', 'delta']) expect(at(speech[1]!.text, word)).toBe(source.indexOf(word));
    expect(at(speech[1]!.text, '&')).toBe(source.indexOf('&amp;'));
  });
});
