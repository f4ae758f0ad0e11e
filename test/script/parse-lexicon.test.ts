import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { entryLabel, parseLexicon, type Lexicon } from '../../src/script/parse-lexicon.js';

/** The UsageError's message for a lexicon that is refused. */
async function refusal(source: string, fileName: string): Promise<string> {
  const error: unknown = await parseLexicon(source, fileName).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  return (error as UsageError).message;
}

/** Entries as a test reads them: what is matched, what is said, and where the entry is. */
const entries = (lexicon: Lexicon) => lexicon.entries.map((e) => [entryLabel(e), e.replacement, e.line]);

describe('lexicon files: word = replacement, /regex/flags = replacement', () => {
  test('words, phrases, patterns, comments and blank lines', async () => {
    const source = [
      '# How to say things',
      'SQL = sequel',
      '',
      'C# = C sharp',
      '  New York   =   Noo Yawk  ',
      'Zoë = Zo-ee',
      '/colou?r/i = hue',
      '/(\\d+)\\s?km\\b/ = $1 kilometres',
      '/a\\/b/ = a or b',
      '/[/]x/ = slash x',
      '/=/ = equals',
      '/\\[\\d+\\]/g =',
      '   # an indented comment',
    ].join('\n');
    const lexicon = await parseLexicon(source, 'words.txt');
    expect(entries(lexicon)).toEqual([
      ['SQL', 'sequel', 2],
      ['C#', 'C sharp', 4],
      ['New York', 'Noo Yawk', 5],
      ['Zoë', 'Zo-ee', 6],
      ['/colou?r/i', 'hue', 7],
      ['/(\\d+)\\s?km\\b/', '$1 kilometres', 8],
      ['/a\\/b/', 'a or b', 9],
      ['/[/]x/', 'slash x', 10],
      ['/=/', 'equals', 11],
      ['/\\[\\d+\\]/', '', 12],
    ]);
    expect(lexicon.warnings).toEqual([]);
  });

  test('a byte-order mark and CRLF line ends', async () => {
    expect(entries(await parseLexicon('\uFEFFSQL = sequel\r\nGIF = jif\r\n', 'w.txt'))).toEqual([
      ['SQL', 'sequel', 1],
      ['GIF', 'jif', 2],
    ]);
  });

  test.each([
    ['SQL sequel', 'words.txt, line 2: "SQL sequel" has no "=": expected "word = replacement"'],
    [' = sequel', 'words.txt, line 2: nothing before "=": expected "word = replacement"'],
    ['/abc = x', 'words.txt, line 2: the pattern /abc = x has no closing /'],
    ['/abc/ x', 'words.txt, line 2: expected "= replacement" after /abc/'],
    ['/abc/y = x', 'words.txt, line 2: /abc/y: flags may be i, m, s, u and v'],
    ['// = x', 'words.txt, line 2: the pattern // is empty'],
    ['/a*/ = x', 'words.txt, line 2: /a*/ matches empty text'],
    ['OK = okay', 'words.txt, line 2: OK is already in the lexicon, on line 1'],
  ])('%j is refused with its line', async (line, message) => {
    expect(await refusal(`OK = okay\n${line}`, 'words.txt')).toBe(message);
  });

  test('an invalid pattern says why, in JavaScript\'s words', async () => {
    expect(await refusal('/a(/ = x', 'words.txt')).toBe(
      'words.txt, line 1: /a(/ is not a valid regular expression: Invalid regular expression: /a(/: Unterminated group',
    );
  });
});

const PLS = `<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
    alphabet="ipa" xml:lang="en-US">
  <!-- an alias replaces the word's text -->
  <lexeme>
    <grapheme>SQL</grapheme>
    <alias>sequel</alias>
  </lexeme>
  <lexeme>
    <grapheme>W3C</grapheme>
    <grapheme>W3 C</grapheme>
    <alias>World Wide Web
      Consortium</alias>
  </lexeme>
  <lexeme>
    <grapheme>tomato</grapheme>
    <phoneme>təˈmɑːtoʊ</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>Ms</grapheme>
    <alias>miss</alias>
    <alias prefer="true">mizz</alias>
  </lexeme>
  <lexeme><grapheme>AT&amp;T</grapheme><alias>A T and T</alias></lexeme>
  <lexeme><grapheme>SQL</grapheme><alias>S Q L</alias></lexeme>
</lexicon>
`;

describe('W3C PLS lexicons', () => {
  test('graphemes are said as their alias; phoneme-only and repeated words are named in warnings', async () => {
    const lexicon = await parseLexicon(PLS, 'names.pls');
    expect(entries(lexicon)).toEqual([
      ['SQL', 'sequel', 5],
      ['W3C', 'World Wide Web Consortium', 9],
      ['W3 C', 'World Wide Web Consortium', 9],
      ['Ms', 'mizz', 19],
      ['AT&T', 'A T and T', 24],
    ]);
    expect(lexicon.warnings).toEqual([
      'names.pls: skipped 1 word with only a <phoneme>, which OpenAI-compatible endpoints cannot take (give an <alias> instead): tomato',
      'names.pls: words in more than one lexeme: SQL (line 25; line 5 is used)',
    ]);
  });

  test('recognised by its first character whatever the file is called', async () => {
    const lexicon = await parseLexicon('<lexicon><lexeme><grapheme>GIF</grapheme><alias>jif</alias></lexeme></lexicon>', 'words.txt');
    expect(entries(lexicon)).toEqual([['GIF', 'jif', 1]]);
  });

  test('malformed PLS names the line and column', async () => {
    expect(await refusal('<lexicon>\n  <lexeme><grapheme>A</grapheme>\n</lexicon>', 'names.pls')).toBe(
      'Malformed PLS lexicon in names.pls, line 3, column 1: </lexicon> does not close <lexeme> (opened at line 2, column 3)',
    );
  });

  test('another root element is refused', async () => {
    expect(await refusal('<speak>x</speak>', 'names.pls')).toBe(
      'Malformed PLS lexicon in names.pls, line 1, column 1: the root element is <speak>, not <lexicon>',
    );
  });
});
