import type { SpokenText, SpokenTextBuilder } from '../text/spoken-text.js';

/** Copies `spoken.text[from, to)` into `out`, each piece still pointing where it came from. */
export function copySpoken(out: SpokenTextBuilder, spoken: SpokenText, from: number, to: number): void {
  const { runs, text } = spoken;
  let r = runAt(spoken, from);
  for (let at = from; at < to; r += 1) {
    const run = runs[r];
    const runEnd = runs[r + 1]?.at ?? text.length;
    if (!run) {
      out.copy(text.slice(at, to), at);
      return;
    }
    const end = Math.min(to, runEnd);
    if (end > at) out.copy(text.slice(at, end), run.source + (at - run.at));
    at = Math.max(at, end);
  }
}

/**
 * Text that stands for what is at `source` (an alias, a lexicon's replacement): every character
 * maps to that one place, so no part of it points past what it replaced. One run a character is
 * the only way the run map can say so, and replacements are short.
 */
export function pinText(out: SpokenTextBuilder, text: string, source: number): void {
  for (let i = 0; i < text.length; i += 1) out.copy(text[i]!, source);
}

/** Index of the last run that starts at or before `offset` (runs are sorted by `at`). */
function runAt(spoken: SpokenText, offset: number): number {
  let lo = 0;
  let hi = spoken.runs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (spoken.runs[mid]!.at <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
