import { describe, expect, test } from 'vitest';
import type { Segment } from '../../src/plan/segment.js';
import { applyLexicon, describeLexiconChanges } from '../../src/script/apply-lexicon.js';
import { parseLexicon, readLexiconLines } from '../../src/script/parse-lexicon.js';
import { readSsml } from '../../src/script/read-ssml.js';
import { sourceOffset, verbatim } from '../../src/text/spoken-text.js';
import { speechTexts, view } from './segment-view.js';

const lexicon = (...lines: string[]) => readLexiconLines(lines.join('\n'), 'words.txt');
const said = (text: string, ...lines: string[]) => applyLexicon(verbatim(text), lexicon(...lines)).text.text;

describe('applying a lexicon: whole words, exactly as written', () => {
  test.each([
    ['whole words only', 'SQL, MySQL and SQLite use SQL.', ['SQL = sequel'], 'sequel, MySQL and SQLite use sequel.'],
    ['case-sensitive', 'SQL or sql or Sql', ['SQL = sequel'], 'sequel or sql or Sql'],
    ['a digit or an underscore is part of a word', 'GIF GIF2 GIF_x x_GIF', ['GIF = jif'], 'jif GIF2 GIF_x x_GIF'],
    ['a word with an accent', 'Zoë, Zoëy and Zoe.', ['Zoë = Zo-ee'], 'Zo-ee, Zoëy and Zoe.'],
    ['a word ending in an accented letter is not cut short', 'café cafés cafe', ['café = caff'], 'caff cafés cafe'],
    ['a Cyrillic word, not its inflections', 'В Москве, в Москву, Москва.', ['Москва = Moskva'], 'В Москве, в Москву, Moskva.'],
    ['a Greek word', 'Αθήνα και Αθήνας', ['Αθήνα = Athina'], 'Athina και Αθήνας'],
    ['a word with a combining accent', 'Zoe\u0308 and Zoe', ['Zoe = Zoey'], 'Zoe\u0308 and Zoey'],
    ['a word beside an astral letter is not whole', '𝐀SQL SQL', ['SQL = sequel'], '𝐀SQL sequel'],
    ['a key ending in punctuation', 'I write C#, not C.', ['C# = C sharp'], 'I write C sharp, not C.'],
    ['a key starting with punctuation', 'Use .NET or .NETCore', ['.NET = dot net'], 'Use dot net or .NETCore'],
    ['a phrase, before a word it starts with', 'New York is new; New Jersey too.', ['New = Neu', 'New York = Noo Yawk'], 'Noo Yawk is new; Neu Jersey too.'],
    ['replaced text is not looked at again', 'A B', ['A = B', 'B = C'], 'B C'],
    ['an empty replacement drops the word', 'Um, well, um yes', ['um ='], 'Um, well,  yes'],
  ])('%s', (_name, text, lines, expected) => {
    expect(said(text, ...lines)).toBe(expected);
  });
});

describe('applying a lexicon: patterns', () => {
  test.each([
    ['flags', 'Colour and color and COLOR', ['/colou?r/i = hue'], 'hue and hue and hue'],
    ['groups in the replacement', '5km, 10 km and 7 kmh', ['/(\\d+)\\s?km\\b/ = $1 kilometres'], '5 kilometres, 10 kilometres and 7 kmh'],
    ['named groups, $& and $$', 'cost 5 USD', ['/(?<n>\\d+) USD/ = $$$<n> ($&)'], 'cost $5 (5 USD)'],
    ['a back-reference', 'the the end', ['/\\b(\\w+) \\1\\b/ = $1'], 'the end'],
    ['a named back-reference', 'so so good', ['/\\b(?<w>\\w+) \\k<w>\\b/ = $<w>'], 'so good'],
    ['a look-behind sees the text before', '1st, first', ['/(?<=\\d)st\\b/ = :st'], '1:st, first'],
    ['dropping citations', 'A fact.[12] Another.[3]', ['/\\[\\d+\\]/ ='], 'A fact. Another.'],
    ['patterns of different flags in one text', 'Dr. Who and DR. NO', ['/\\bDr\\./ = Doctor', '/\\bno\\b/i = Number'], 'Doctor Who and DR. Number'],
    ['multi-line and dot-all flags', 'a\nb', ['/^b$/m = bee', '/a.b/s = never'], 'never'],
    ['a unicode property', 'Ωmega and omega', ['/\\p{Lu}mega/u = Omega'], 'Omega and omega'],
  ])('%s', (_name, text, lines, expected) => {
    expect(said(text, ...lines)).toBe(expected);
  });

  test('where several entries match at one place, the longest wins, then the first written', () => {
    expect(said('SQL Server', 'SQL = sequel', '/SQL Server/ = sequel server')).toBe('sequel server');
    expect(said('SQL Server', '/SQL/ = first', 'SQL = second')).toBe('first Server');
    expect(said('ab', '/a/ = one', '/ab?/ = two')).toBe('two');
  });

  test('an empty match is no match: the scan moves on', () => {
    expect(said('ab', '/(?=a)|b/ = B')).toBe('aB');
  });
});

describe('applying a lexicon: the map back to the source', () => {
  test('unchanged text keeps its offsets; every character of a replacement points at the start of what it replaced', () => {
    const result = applyLexicon(verbatim('I use SQL daily'), lexicon('SQL = sequel'));
    const text = result.text;
    expect(text.text).toBe('I use sequel daily');
    const offsets = [...text.text].map((_, i) => sourceOffset(text, i));
    expect(offsets).toEqual([0, 1, 2, 3, 4, 5, 6, 6, 6, 6, 6, 6, 9, 10, 11, 12, 13, 14]);
  });

  test('a shorter replacement: the text after it still points at itself', () => {
    const text = applyLexicon(verbatim('see Wednesday now', 7), lexicon('Wednesday = Wed')).text;
    expect(text.text).toBe('see Wed now');
    expect([0, 4, 5, 6, 7, 8].map((i) => sourceOffset(text, i))).toEqual([7, 11, 11, 11, 20, 21]);
  });

  test('composes with a reader\'s map: offsets point into the SSML, not the spoken text', () => {
    const ssml = '<speak>Fish &amp; <emphasis>SQL</emphasis> now</speak>';
    const [spoken] = speechTexts(readSsml(ssml).segments);
    const text = applyLexicon(spoken!, lexicon('SQL = sequel')).text;
    expect(text.text).toBe('Fish & sequel now');
    expect(sourceOffset(text, text.text.indexOf('&'))).toBe(ssml.indexOf('&amp;'));
    expect(sourceOffset(text, text.text.indexOf('sequel'))).toBe(ssml.indexOf('SQL'));
    expect(sourceOffset(text, text.text.indexOf('now'))).toBe(ssml.indexOf('now'));
  });

  test('text without a match is returned as it was', () => {
    const original = verbatim('nothing here');
    expect(applyLexicon(original, lexicon('SQL = sequel')).text).toBe(original);
  });
});

describe('applying a lexicon to segments, and what it reports', () => {
  const segments: Segment[] = [
    { kind: 'speech', text: verbatim('SQL and colour.', 0), style: { voice: 'nova' } },
    { kind: 'pause', ms: 500 },
    { kind: 'mark', name: 'm' },
    { kind: 'speech', text: verbatim('More SQL, and COLOR, then SQL.', 20), style: {} },
  ];
  const source = `${'SQL and colour.'.padEnd(20, ' ')}More SQL, and COLOR, then SQL.`;
  const lex = lexicon('# words', 'SQL = sequel', 'GIF = jif', '/colou?r/i = hue');

  test('speech is rewritten, pauses and marks are left alone', () => {
    expect(view(applyLexicon(segments, lex).segments)).toEqual([
      { say: 'sequel and hue.', voice: 'nova' },
      { pause: 500 },
      { mark: 'm' },
      { say: 'More sequel, and hue, then sequel.' },
    ]);
  });

  test('changes say what, how often and where, in the lexicon\'s order', () => {
    const { changes } = applyLexicon(segments, lex);
    expect(changes.map((c) => [c.entry.line, c.count, c.sources, c.examples])).toEqual([
      [2, 3, [0, 25, 46], [{ from: 'SQL', to: 'sequel' }]],
      [
        4,
        2,
        [8, 34],
        [
          { from: 'colour', to: 'hue' },
          { from: 'COLOR', to: 'hue' },
        ],
      ],
    ]);
    expect(describeLexiconChanges(changes, source)).toEqual([
      'SQL → sequel: 3 times, first at line 1, column 1',
      '/colou?r/i (colour → hue, COLOR → hue): 2 times, first at line 1, column 9',
    ]);
  });

  test('a PLS lexicon applies the same way', async () => {
    const pls = await parseLexicon('<lexicon><lexeme><grapheme>W3C</grapheme><alias>World Wide Web Consortium</alias></lexeme></lexicon>', 'w.pls');
    expect(applyLexicon(verbatim('The W3C.'), pls).text.text).toBe('The World Wide Web Consortium.');
  });
});

describe('applying a lexicon to a long text', () => {
  // Seven rewrites in about 1,000 characters: a dense lexicon for a book.
  const filler = 'It was a quiet morning and the streets were still wet from the night before. '.repeat(11);
  const paragraph = `The SQL server in New York ran 12 km of cable for Zoë. Colour reports cite [4] sources; GIF files too. ${filler}\n\n`;
  const text = paragraph.repeat(Math.ceil(2_000_000 / paragraph.length));
  const words = Array.from({ length: 2000 }, (_, i) => `Word${i} = word ${i}`);
  const small = lexicon('SQL = sequel', '/colou?r/i = hue');
  const large = lexicon('SQL = sequel', '/colou?r/i = hue', ...words, 'New York = Noo Yawk', 'Zoë = Zo-ee', '/(\\d+) km/ = $1 kilometres', '/\\[\\d+\\]/ =', 'GIF = jif');

  const time = (run: () => void) => {
    const start = performance.now();
    run();
    return performance.now() - start;
  };

  test('2 MB is rewritten in one pass, whatever the number of entries', () => {
    const copies = text.length / paragraph.length;
    let result = applyLexicon(verbatim(text), small);
    const smallMs = time(() => applyLexicon(verbatim(text), small));
    const largeMs = time(() => (result = applyLexicon(verbatim(text), large)));
    expect(result.changes.map((c) => c.count)).toEqual([copies, copies, copies, copies, copies, copies, copies]);
    expect(result.text.text.slice(0, 110)).toBe('The sequel server in Noo Yawk ran 12 kilometres of cable for Zo-ee. hue reports cite  sources; jif files too. ');
    // A scan for each entry would take a thousand times as long with 2,000 entries more.
    expect(largeMs).toBeLessThan(smallMs * 10 + 500);
  });
});
