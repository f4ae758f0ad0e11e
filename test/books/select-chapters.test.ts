import { describe, expect, test } from 'vitest';
import { chapterCount, parseChapterSpec, selectChapters } from '../../src/books/select-chapters.js';
import { UsageError } from '../../src/errors.js';
import type { SpeechDocument } from '../../src/plan/segment.js';
import { verbatim } from '../../src/text/spoken-text.js';
import { outline } from './book-outline.js';

describe('--chapters', () => {
  test.each([
    ['3-7,9', 12, [3, 4, 5, 6, 7, 9]],
    ['9, 3-4', 12, [3, 4, 9]],
    ['1', 1, [1]],
    ['2-2', 3, [2]],
    ['4-', 6, [4, 5, 6]],
    ['1-3,2-5,5', 6, [1, 2, 3, 4, 5]],
    [' 7 - 8 ,', 8, [7, 8]],
  ])('%j of %i chapters is %j', (spec, count, chapters) => {
    expect(parseChapterSpec(spec, count)).toEqual(chapters);
  });

  test.each([
    ['', 5, '--chapters needs chapter numbers'],
    ['three', 5, '--chapters: "three" is not a chapter number or range'],
    ['1-2-3', 5, '--chapters: "1-2-3" is not a chapter number or range'],
    ['-3', 5, '--chapters: "-3" is not a chapter number or range'],
    ['2.5', 5, '--chapters: "2.5" is not a chapter number or range'],
    ['0', 5, '--chapters: chapters are numbered from 1'],
    ['0-2', 5, '--chapters: chapters are numbered from 1'],
    ['7-3', 9, '--chapters: "7-3" runs backwards; write 3-7'],
    ['6', 5, '--chapters: 6 is past the last chapter: there are 5 chapters'],
    ['4-9', 5, '--chapters: "4-9" runs past the last chapter: there are 5 chapters'],
    ['2', 1, '--chapters: 2 is past the last chapter: there is 1 chapter'],
    ['1', 0, '--chapters: this input has no chapters to choose from'],
  ])('%j of %i chapters is refused: %s', (spec, count, message) => {
    expect(() => parseChapterSpec(spec, count)).toThrow(UsageError);
    expect(() => parseChapterSpec(spec, count)).toThrow(message);
  });
});

describe('selecting chapters from a document', () => {
  const speech = (text: string) => ({ kind: 'speech' as const, text: verbatim(text), style: {} });
  const book: SpeechDocument = {
    title: 'Book',
    author: 'Someone',
    segments: [
      speech('Before any chapter.'),
      { kind: 'chapter', title: 'One' },
      speech('First.'),
      { kind: 'chapter', title: 'Two' },
      speech('Second.'),
      { kind: 'pause', ms: 500 },
      speech('Second, again.'),
      { kind: 'chapter', title: 'Three' },
      speech('Third.'),
    ],
  };

  test('keeps the chosen chapters whole, with their marks, pauses and the book\'s metadata', () => {
    const chosen = selectChapters(book, '2-3');
    expect(chosen.title).toBe('Book');
    expect(chosen.author).toBe('Someone');
    expect(chosen.segments.map((s) => s.kind)).toEqual(['chapter', 'speech', 'pause', 'speech', 'chapter', 'speech']);
    expect(outline(chosen)).toEqual([
      { title: 'Two', speech: ['Second.', 'Second, again.'] },
      { title: 'Three', speech: ['Third.'] },
    ]);
  });

  test('leaves out what comes before the first chapter', () => {
    expect(outline(selectChapters(book, '1'))).toEqual([{ title: 'One', speech: ['First.'] }]);
  });

  test('counts chapters by their marks', () => {
    expect(chapterCount(book)).toBe(3);
    expect(() => selectChapters(book, '4')).toThrow('4 is past the last chapter: there are 3 chapters');
  });
});
