import { describe, expect, test } from 'vitest';
import { chapterFileName, inputFileName, safeName } from '../../src/output/output-names.js';
import { splitChapters } from '../../src/plan/split-chapters.js';
import { verbatim } from '../../src/text/spoken-text.js';

describe('file names for chapters and inputs', () => {
  test.each([
    [{ number: 3, title: 'The Return' }, 12, '03 The Return.mp3'],
    [{ number: 7, title: 'What?  A "quote": a/b\\c | d*' }, 9, '07 What A quote a b c d.mp3'],
    [{ number: 42, title: 'Chapter…\u0007 ends with dots...' }, 150, '042 Chapter… ends with dots.mp3'],
    [{ number: 1, title: '   ' }, 3, '01.mp3'],
    [{ number: 2, title: 'Été à Paris 日本' }, 2, '02 Été à Paris 日本.mp3'],
  ])('%o of %i → %s', (part, total, name) => {
    expect(chapterFileName(part, { total, extension: 'mp3' })).toBe(name);
  });

  test('long titles are cut, never inside a character', () => {
    const name = safeName('😀'.repeat(200));
    expect([...name]).toHaveLength(80);
    expect(name).toBe('😀'.repeat(80));
  });

  test("an input's output is named after it", () => {
    expect(inputFileName('chapters/01-intro.md', 'opus')).toBe('01-intro.opus');
    expect(inputFileName('/x/y/notes', 'mp3')).toBe('notes.mp3');
  });
});

describe('a document cut at its chapters', () => {
  const say = (text: string) => ({ kind: 'speech' as const, text: verbatim(text), style: {} });
  test('each part holds its speech without the mark; a preface goes with the first chapter', () => {
    const parts = splitChapters({ title: 'Book', segments: [say('Preface.'), { kind: 'chapter', title: 'One' }, say('A.'), { kind: 'pause', ms: 300 }, { kind: 'chapter', title: 'Two', number: 5 }, say('B.')] }, 'untitled');
    expect(parts.map((p) => [p.number, p.title, p.segments.length])).toEqual([[1, 'One', 3], [5, 'Two', 1]]);
  });

  test('no chapters: one part titled by the book; an empty chapter is left out', () => {
    expect(splitChapters({ title: 'Notes', segments: [say('Hi.')] }, 'x').map((p) => p.title)).toEqual(['Notes']);
    expect(splitChapters({ segments: [{ kind: 'chapter', title: 'Empty' }, { kind: 'chapter', title: 'Full' }, say('Yes.')] }, 'x').map((p) => p.title)).toEqual(['Full']);
  });
});
