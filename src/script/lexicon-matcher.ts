import type { Lexicon, LexiconEntry } from './parse-lexicon.js';

/** One place a lexicon entry rewrites: `text[start, end)` is said as `replacement`. */
export interface LexiconMatch {
  start: number;
  end: number;
  entry: LexiconEntry;
  replacement: string;
}

export interface LexiconMatcher {
  /** Every rewrite in `text`, in order, none overlapping. */
  matches(text: string): LexiconMatch[];
}

/** A letter (with its marks), a digit or an underscore: what a whole word is made of. */
const WORD_CHAR = /[\p{L}\p{M}\p{N}_]/u;
/** A word, or any one other visible character: where a lexicon word can start. */
const TOKEN = String.raw`[\p{L}\p{M}\p{N}_]+|[^\s\p{L}\p{M}\p{N}_]`;
const FIRST_TOKEN = new RegExp(TOKEN, 'u');

/** The best match starting at the earliest place from a given offset, if there is one. */
interface Scanner {
  next(text: string, from: number): LexiconMatch | undefined;
}

const compiled = new WeakMap<Lexicon, LexiconMatcher>();

/**
 * Compiles a lexicon once into scanners: one for all its words (each word looked up in a map as
 * the text is tokenised), one for each set of pattern flags (the patterns joined as alternatives),
 * and one for each pattern whose back-references or group names would not survive being joined.
 * A scan costs one pass of each scanner, whatever the number of entries.
 */
export function compileLexicon(lexicon: Lexicon): LexiconMatcher {
  let matcher = compiled.get(lexicon);
  if (!matcher) {
    const scanners = [...wordScanners(lexicon.entries), ...patternScanners(lexicon.entries)];
    matcher = { matches: (text) => scanAll(text, scanners) };
    compiled.set(lexicon, matcher);
  }
  return matcher;
}

function scanAll(text: string, scanners: readonly Scanner[]): LexiconMatch[] {
  const found: LexiconMatch[] = [];
  // Each scanner's next match at or after `at`; a scanner is asked again only once `at` passes it.
  const next: (LexiconMatch | null | undefined)[] = scanners.map(() => undefined);
  for (let at = 0; ; ) {
    let best: LexiconMatch | undefined;
    scanners.forEach((scanner, i) => {
      let candidate = next[i];
      if (candidate === undefined || (candidate !== null && candidate.start < at)) next[i] = candidate = scanner.next(text, at) ?? null;
      if (candidate && (!best || better(candidate, best))) best = candidate;
    });
    if (!best) return found;
    found.push(best);
    at = best.end;
  }
}

function better(a: LexiconMatch, b: LexiconMatch): boolean {
  if (a.start !== b.start) return a.start < b.start;
  if (a.end !== b.end) return a.end > b.end;
  return a.entry.line < b.entry.line;
}

function wordScanners(entries: readonly LexiconEntry[]): Scanner[] {
  // Words by the token they start with, longest first, so "New York" is tried before "New".
  const byToken = new Map<string, { word: string; entry: LexiconEntry }[]>();
  for (const entry of entries) {
    if (!('word' in entry.match)) continue;
    const word = entry.match.word;
    const token = FIRST_TOKEN.exec(word)?.[0] ?? word;
    const list = byToken.get(token) ?? [];
    list.push({ word, entry });
    byToken.set(token, list);
  }
  if (byToken.size === 0) return [];
  for (const list of byToken.values()) list.sort((a, b) => b.word.length - a.word.length || a.entry.line - b.entry.line);
  const tokens = new RegExp(TOKEN, 'gu');
  return [
    {
      next(text, from) {
        tokens.lastIndex = from;
        for (let m = tokens.exec(text); m; m = tokens.exec(text)) {
          const list = byToken.get(m[0]);
          const hit = list?.find(({ word }) => text.startsWith(word, m!.index) && wholeWord(text, m!.index, word));
          if (hit) return { start: m.index, end: m.index + hit.word.length, entry: hit.entry, replacement: hit.entry.replacement };
        }
        return undefined;
      },
    },
  ];
}

/** Whether `word` at `start` is not part of a longer word: a word character may not touch a word character. */
function wholeWord(text: string, start: number, word: string): boolean {
  const end = start + word.length;
  if (WORD_CHAR.test(word[0]!) && start > 0 && WORD_CHAR.test(charBefore(text, start))) return false;
  return !(WORD_CHAR.test(word.at(-1)!) && end < text.length && WORD_CHAR.test(String.fromCodePoint(text.codePointAt(end)!)));
}

function charBefore(text: string, index: number): string {
  const low = text.charCodeAt(index - 1);
  return low >= 0xdc00 && low <= 0xdfff && index >= 2 ? text.slice(index - 2, index) : text[index - 1]!;
}

interface Pattern {
  entry: LexiconEntry;
  /** The entry's pattern, anchored where it is tried. */
  sticky: RegExp;
}

function patternScanners(entries: readonly LexiconEntry[]): Scanner[] {
  const groups = new Map<string, { flags: string; patterns: Pattern[] }>();
  const scanners: Scanner[] = [];
  for (const entry of entries) {
    if (!('pattern' in entry.match)) continue;
    const { source, flags } = entry.match.pattern;
    const pattern = { entry, sticky: new RegExp(source, `${flags}y`) };
    // Joined as alternatives, \1 would point at another entry's group, and two (?<name>) would clash.
    if (/\\[1-9]|\\k<|\(\?<[^=!]/.test(source)) {
      scanners.push(patternScanner(new RegExp(source, `${flags}g`), [pattern]));
      continue;
    }
    const group = groups.get(flags) ?? { flags, patterns: [] };
    group.patterns.push(pattern);
    groups.set(flags, group);
  }
  for (const { flags, patterns } of groups.values()) {
    const finder = new RegExp(patterns.map((p) => `(?:${p.sticky.source})`).join('|'), `${flags}g`);
    scanners.push(patternScanner(finder, patterns));
  }
  return scanners;
}

/**
 * Finds the first place any of `patterns` matches with `finder` (their alternation), then tries
 * each there to take the longest: an alternation alone would take the first that matches.
 */
function patternScanner(finder: RegExp, patterns: readonly Pattern[]): Scanner {
  return {
    next(text, from) {
      for (let at = from; at <= text.length; ) {
        finder.lastIndex = at;
        const found = finder.exec(text);
        if (!found) return undefined;
        let best: LexiconMatch | undefined;
        for (const { entry, sticky } of patterns) {
          sticky.lastIndex = found.index;
          const m = sticky.exec(text);
          if (!m || m[0] === '' || (best && m[0].length <= best.end - best.start)) continue;
          best = { start: found.index, end: found.index + m[0].length, entry, replacement: expand(entry.replacement, m) };
        }
        if (best) return best;
        at = found.index + 1;
      }
      return undefined;
    },
  };
}

/** A replacement with `$1`, `$<name>`, `$&` and `$$` filled in, as String.prototype.replace does. */
export function expand(template: string, match: RegExpExecArray): string {
  if (!template.includes('$')) return template;
  return template.replace(/\$(\$|&|<([^>]*)>|(\d\d?))/g, (whole, what: string, name: string | undefined, digits: string | undefined) => {
    if (what === '$') return '$';
    if (what === '&') return match[0];
    if (name !== undefined) return match.groups?.[name] ?? '';
    let n = Number(digits);
    let rest = '';
    if (n >= match.length && digits!.length === 2) {
      n = Number(digits![0]);
      rest = digits![1]!;
    }
    return n >= 1 && n < match.length ? (match[n] ?? '') + rest : whole;
  });
}
