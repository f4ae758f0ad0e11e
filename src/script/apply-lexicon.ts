import type { Segment } from '../plan/segment.js';
import { SpokenTextBuilder, sourceOffset, type SpokenText } from '../text/spoken-text.js';
import { entryLabel, type Lexicon, type LexiconEntry } from './parse-lexicon.js';
import { lineColumn } from './source-position.js';
import { copySpoken, pinText } from './spoken-slices.js';
import { compileLexicon, type LexiconMatch } from './lexicon-matcher.js';

/** What one lexicon entry changed, for --dry-run. */
export interface LexiconChange {
  entry: LexiconEntry;
  /** How often it matched. */
  count: number;
  /** Where: the source offset of each match, in order. */
  sources: number[];
  /** The first few distinct rewrites, most telling for a pattern: "5km" → "5 kilometres". */
  examples: { from: string; to: string }[];
}

const MAX_EXAMPLES = 3;

/**
 * Rewrites spoken text with a lexicon, before it is chunked. At each place the match that starts
 * first wins; of several starting there, the longest, then the one written first. Replaced text is
 * not looked at again. The map back to the source stays right: unchanged text keeps its offsets
 * and each replacement points at the start of what it replaced. One scan of the text for all the
 * words, and one for each set of pattern flags, however many entries there are.
 */
export function applyLexicon(text: SpokenText, lexicon: Lexicon): { text: SpokenText; changes: LexiconChange[] };
export function applyLexicon(segments: readonly Segment[], lexicon: Lexicon): { segments: Segment[]; changes: LexiconChange[] };
export function applyLexicon(
  input: SpokenText | readonly Segment[],
  lexicon: Lexicon,
): { text: SpokenText; changes: LexiconChange[] } | { segments: Segment[]; changes: LexiconChange[] } {
  const changes = new Map<LexiconEntry, LexiconChange>();
  if (!Array.isArray(input)) return { text: rewrite(input as SpokenText, lexicon, changes), changes: sorted(changes) };
  const segments = (input as readonly Segment[]).map((segment) =>
    segment.kind === 'speech' ? { ...segment, text: rewrite(segment.text, lexicon, changes) } : segment,
  );
  return { segments, changes: sorted(changes) };
}

function rewrite(spoken: SpokenText, lexicon: Lexicon, changes: Map<LexiconEntry, LexiconChange>): SpokenText {
  const matches = compileLexicon(lexicon).matches(spoken.text);
  if (matches.length === 0) return spoken;
  const out = new SpokenTextBuilder();
  let last = 0;
  for (const match of matches) {
    copySpoken(out, spoken, last, match.start);
    const source = sourceOffset(spoken, match.start);
    pinText(out, match.replacement, source);
    record(changes, match, spoken.text.slice(match.start, match.end), source);
    last = match.end;
  }
  copySpoken(out, spoken, last, spoken.text.length);
  return out.build();
}

function record(changes: Map<LexiconEntry, LexiconChange>, match: LexiconMatch, from: string, source: number): void {
  let change = changes.get(match.entry);
  if (!change) changes.set(match.entry, (change = { entry: match.entry, count: 0, sources: [], examples: [] }));
  change.count += 1;
  change.sources.push(source);
  if (change.examples.length < MAX_EXAMPLES && !change.examples.some((e) => e.from === from)) {
    change.examples.push({ from, to: match.replacement });
  }
}

function sorted(changes: Map<LexiconEntry, LexiconChange>): LexiconChange[] {
  return [...changes.values()].sort((a, b) => a.entry.line - b.entry.line);
}

/**
 * One line for each change, for --dry-run: `SQL → sequel: 3 times, first at line 2, column 9`.
 * `source` is the text the offsets point into.
 */
export function describeLexiconChanges(changes: readonly LexiconChange[], source: string): string[] {
  return changes.map((change) => {
    const rewrites =
      'word' in change.entry.match
        ? `${entryLabel(change.entry)} → ${change.entry.replacement}`
        : `${entryLabel(change.entry)} (${change.examples.map((e) => `${e.from} → ${e.to}`).join(', ')})`;
    const first = lineColumn(source, change.sources[0] ?? 0);
    const times = change.count === 1 ? 'once' : `${change.count} times`;
    return `${rewrites}: ${times}, first at line ${first.line}, column ${first.column}`;
  });
}
