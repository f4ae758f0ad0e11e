import { UsageError } from '../errors.js';

/** One rule of a pronunciation lexicon. */
export interface LexiconEntry {
  /** A whole word or phrase, matched exactly as written (case-sensitive), or a regular expression. */
  match: { word: string } | { pattern: RegExp };
  /** What is said instead; for a pattern, `$1`, `$<name>` and `$&` stand for what it matched. */
  replacement: string;
  /** The entry's line in the lexicon file. */
  line: number;
}

export interface Lexicon {
  fileName: string;
  entries: LexiconEntry[];
  /** Said once, for the user: entries that were read but cannot be used. */
  warnings: string[];
}

/** How an entry is shown to the user: `SQL`, `/colou?r/i`. */
export function entryLabel(entry: LexiconEntry): string {
  return 'word' in entry.match ? entry.match.word : String(entry.match.pattern);
}

const FORMAT_HINT = 'Each line is "word = replacement" or "/regex/flags = replacement"; lines starting with # are comments.';
/** Flags a lexicon pattern may carry; `g` is accepted and implied, since every match is replaced. */
const PATTERN_FLAGS = /^[gimsuv]*$/;

/**
 * Reads a pronunciation lexicon: W3C PLS (XML, the format Azure and Polly take) when the file is
 * `.pls` or `.xml` or starts with `<`, else lines of `word = replacement` and
 * `/regex/flags = replacement` with `#` comments. PLS needs the XML parser, loaded only then.
 */
export async function parseLexicon(source: string, fileName: string): Promise<Lexicon> {
  if (/\.(pls|xml)$/i.test(fileName) || /^\uFEFF?\s*</.test(source)) {
    const { readPls } = await import('./read-pls.js');
    return readPls(source, fileName);
  }
  return readLexiconLines(source, fileName);
}

/** The plain-text lexicon format. A `#` starts a comment only at a line's start: "C# = C sharp" is an entry. */
export function readLexiconLines(source: string, fileName: string): Lexicon {
  const entries: LexiconEntry[] = [];
  const seen = new Map<string, number>();
  const lines = source.replace(/^\uFEFF/, '').split(/\r\n?|\n/);
  lines.forEach((raw, index) => {
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    const line = index + 1;
    const fail = (message: string, hint = FORMAT_HINT): never => {
      throw new UsageError(`${fileName}, line ${line}: ${message}`, { hint });
    };
    const entry = text.startsWith('/') ? patternEntry(text, line, fail) : wordEntry(text, line, fail);
    const label = entryLabel(entry);
    const earlier = seen.get(label);
    if (earlier !== undefined) fail(`${label} is already in the lexicon, on line ${earlier}`, 'Keep one entry for each word or pattern.');
    seen.set(label, line);
    entries.push(entry);
  });
  return { fileName, entries, warnings: [] };
}

type Fail = (message: string, hint?: string) => never;

function wordEntry(text: string, line: number, fail: Fail): LexiconEntry {
  const equals = text.indexOf('=');
  if (equals === -1) fail(`"${text}" has no "=": expected "word = replacement"`);
  const word = text.slice(0, equals).trim();
  if (word === '') fail('nothing before "=": expected "word = replacement"');
  return { match: { word }, replacement: text.slice(equals + 1).trim(), line };
}

function patternEntry(text: string, line: number, fail: Fail): LexiconEntry {
  const close = closingSlash(text);
  if (close === -1) fail(`the pattern ${text} has no closing /`);
  const body = text.slice(1, close);
  const rest = /^([A-Za-z]*)\s*=(.*)$/.exec(text.slice(close + 1));
  if (!rest) fail(`expected "= replacement" after /${body}/`);
  const flags = rest[1]!;
  if (!PATTERN_FLAGS.test(flags)) fail(`/${body}/${flags}: flags may be i, m, s, u and v`);
  if (body === '') fail('the pattern // is empty');
  let pattern: RegExp;
  try {
    pattern = new RegExp(body, flags.replace('g', ''));
  } catch (error) {
    return fail(`/${body}/${flags} is not a valid regular expression: ${(error as Error).message}`, 'Patterns are JavaScript regular expressions.');
  }
  if (pattern.test('')) fail(`/${body}/${flags} matches empty text`, 'A pattern must match at least one character: use + rather than *, for example.');
  return { match: { pattern }, replacement: rest[2]!.trim(), line };
}

/** Index of the `/` that ends a pattern starting at 0: not escaped, not inside a character class. */
function closingSlash(text: string): number {
  let inClass = false;
  for (let i = 1; i < text.length; i += 1) {
    const c = text[i];
    if (c === '\\') i += 1;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '/') return i;
  }
  return -1;
}
