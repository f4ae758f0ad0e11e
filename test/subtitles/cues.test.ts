import { describe, expect, test } from 'vitest';
import { breakLines, CUE_CHARS, LINE_CHARS, splitCues } from '../../src/subtitles/cues.js';

describe('cues from text', () => {
  test('a cue ends where a sentence ends, and carries its place in the text', () => {
    const text = 'Hello there. How are you?\n\nFine, thanks!';
    const cues = splitCues(text);
    expect(cues.map((c) => c.lines.join(' '))).toEqual(['Hello there.', 'How are you?', 'Fine, thanks!']);
    for (const c of cues) expect(text.slice(c.start, c.end)).toBe(c.lines.join(' '));
    expect(cues.every((c) => c.endsSentence)).toBe(true);
  });

  test('a sentence longer than two lines is split at a clause, and only its last piece ends it', () => {
    const text = 'This sentence runs on for quite a while, well past what two lines of a subtitle can hold, and so it must be cut somewhere sensible. Then a short one.';
    const cues = splitCues(text);
    expect(cues.map((c) => c.endsSentence)).toEqual([false, false, true, true]);
    for (const c of cues) {
      expect([...text.slice(c.start, c.end)].length).toBeLessThanOrEqual(CUE_CHARS);
      expect(text.slice(c.start, c.end)).toMatch(/[,.]$/);
    }
  });

  test('nothing is lost or added: the cues hold every word of the text in order', () => {
    const text = 'One, two; three: four — five. Six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty. ¿Qué tal? 你好。很好！';
    const bare = (s: string) => s.replace(/\s+/g, '');
    expect(splitCues(text).map((c) => bare(c.lines.join(''))).join('')).toBe(bare(text));
    expect(splitCues(text).map((c) => c.lines.join(' ')).at(-1)).toBe('很好！');
  });

  test('lines: one when it fits, else two, as even as the words allow', () => {
    expect(breakLines('Short   line\nhere.')).toEqual(['Short line here.']);
    const two = breakLines('The quick brown fox jumps over the lazy dog and keeps on running.');
    expect(two).toHaveLength(2);
    expect(two.every((l) => l.length <= LINE_CHARS)).toBe(true);
    expect(Math.abs(two[0]!.length - two[1]!.length)).toBeLessThanOrEqual(8);
  });
});
