import { describe, expect, test } from 'vitest';
import { chunkText, codePointLength } from '../../src/text/chunk-text.js';

const squash = (s: string) => s.replace(/\s+/g, '');

/** The invariants every chunking must keep, whatever the text. */
function expectSound(text: string, max: number, first?: number) {
  const chunks = chunkText(text, { maxChars: max, firstChunkMaxChars: first });
  chunks.forEach((c, i) => {
    expect(codePointLength(c.text)).toBeLessThanOrEqual(i === 0 && first ? first : max);
    expect(c.text).toBe(c.text.trim());
    expect(c.text).not.toBe('');
    expect(text.slice(c.start, c.end)).toBe(c.text);
    // Never a lone surrogate at either edge.
    expect(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/.test(c.text)).toBe(false);
  });
  // Nothing lost, nothing duplicated.
  expect(squash(chunks.map((c) => c.text).join(''))).toBe(squash(text));
  return chunks;
}

describe('chunking text for requests', () => {
  test('short text is one chunk', () => {
    expect(chunkText('  Hello there.  ', { maxChars: 4000 })).toEqual([{ text: 'Hello there.', start: 2, end: 14 }]);
  });

  test('whole sentences are packed up to the limit', () => {
    const text = 'One two three. Four five six. Seven eight nine. Ten eleven.';
    expect(expectSound(text, 30).map((c) => c.text)).toEqual(['One two three. Four five six.', 'Seven eight nine. Ten eleven.']);
  });

  test('a chunk ends at a paragraph break when that keeps it at least half full', () => {
    const text = 'Alpha beta gamma delta. Epsilon zeta.\n\nEta theta iota. Kappa lambda mu nu xi.';
    expect(expectSound(text, 60).map((c) => c.text)).toEqual(['Alpha beta gamma delta. Epsilon zeta.', 'Eta theta iota. Kappa lambda mu nu xi.']);
  });

  test('a run-on sentence is split at clauses, not wherever the words fill up', () => {
    const text = 'This sentence rambles on, and on without stopping, and it keeps going further';
    expect(expectSound(text, 35).map((c) => c.text)).toEqual(['This sentence rambles on,', 'and on without stopping,', 'and it keeps going further']);
  });

  test('a sentence without clauses is split between words, never inside one', () => {
    const chunks = expectSound('supercalifragilistic expialidocious antidisestablishment floccinaucinihilipilification', 40);
    for (const c of chunks) for (const word of c.text.split(' ')) expect('supercalifragilistic expialidocious antidisestablishment floccinaucinihilipilification').toContain(word);
  });

  test.each([
    ['CJK with punctuation', '这是第一句话。这是第二句话，它比较长一些。第三句话在这里！'.repeat(40), 50],
    ['CJK with no punctuation or spaces', '这是一个很长的句子没有标点符号也没有空格'.repeat(300), 100],
    ['Japanese', '吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。'.repeat(50), 64],
    ['emoji and ZWJ sequences', '👩‍👩‍👧‍👦🏳️‍🌈👍🏽'.repeat(200), 10],
    ['combining marks', 'e\u0301a\u0300o\u0302 '.repeat(500), 16],
    ['no spaces, no punctuation, Latin', 'x'.repeat(10_000), 4000],
    ['only newlines between lines', Array.from({ length: 300 }, (_, i) => `line ${i}`).join('\n'), 200],
  ])('%s: within the limit, nothing lost, never a broken grapheme', (_name, text, max) => {
    const chunks = expectSound(text, max);
    const graphemes = new Set([...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].map((g) => g.index));
    for (const c of chunks) expect(graphemes.has(c.start)).toBe(true);
  });

  test('a long run-on is cut at real word boundaries, found near each limit', () => {
    const text = 'これは句読点のない長い日本語の文章です'.repeat(800);
    const chunks = expectSound(text, 1000);
    const words = new Set([...new Intl.Segmenter('ja', { granularity: 'word' }).segment(text)].map((w) => w.index));
    for (const c of chunks) expect(words.has(c.start)).toBe(true);
  });

  test('never inside an emoji sequence, even where a cut is sought from the middle of one', () => {
    const text = '👩‍👩‍👧‍👦🏳️‍🌈'.repeat(3000);
    const chunks = expectSound(text, 500);
    const graphemes = new Set([...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].map((g) => g.index));
    for (const c of chunks) expect(graphemes.has(c.start)).toBe(true);
  });

  test('flags are never split into their two regional indicators', () => {
    const text = '🇬🇧🇫🇷🇩🇪🇯🇵'.repeat(1500);
    const chunks = expectSound(text, 601);
    for (const c of chunks) expect([...text.slice(0, c.start)].length % 2).toBe(0);
  });

  test('emoji count as code points: 4096 boundary cases', () => {
    const text = `${'😀'.repeat(4000)} done.`;
    const chunks = expectSound(text, 4000);
    expect(chunks.map((c) => codePointLength(c.text))).toEqual([4000, 5]);
  });

  test.each([3999, 4000, 4001])('a %i-code-point sentence at a 4000 limit', (n) => {
    const text = `${'a'.repeat(n - 1)}.`;
    expect(expectSound(text, 4000).length).toBe(n <= 4000 ? 1 : 2);
  });

  test('the first chunk can be short, so sound starts after one quick request', () => {
    const text = 'Short opener here. '.repeat(100);
    const chunks = expectSound(text, 1000, 200);
    expect(codePointLength(chunks[0]!.text)).toBeLessThanOrEqual(200);
    expect(codePointLength(chunks[0]!.text)).toBeGreaterThan(150);
    expect(codePointLength(chunks[1]!.text)).toBeGreaterThan(900);
  });

  test('megabytes of text are chunked in windows, without loss', () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(50_000);
    const chunks = expectSound(text, 4000);
    expect(chunks.length).toBeGreaterThan(500);
  });

  test('a sentence longer than a window but within the limit is kept whole, whatever the limit', () => {
    // One 20,000-character sentence, under a 30,000 limit: longer than the windows text is read in.
    const long = `${'and then the road went on '.repeat(770)}to the sea.`;
    const text = `${long} It ended there. A last line.`;
    const chunks = expectSound(text, 30_000);
    expect(chunks.map((c) => c.text)).toEqual([text]);
    // With a short first chunk the sentence is split, and still nothing is lost.
    expect(expectSound(text, 30_000, 200).length).toBeGreaterThan(1);
  });
});
