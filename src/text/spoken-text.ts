/**
 * Text as it will be spoken, with the way back to where each part came from in the input. Readers
 * that change the text (Markdown, SSML, HTML, EPUB) keep this map so subtitles can point at the
 * source a user edits, not at an intermediate string.
 */
export interface SpokenText {
  text: string;
  /**
   * Sorted by `at`: from spoken offset `at` on, spoken offset `at + k` came from source offset
   * `source + k`, until the next run. Offsets are UTF-16 code units. Characters a reader inserted
   * (a full stop after a heading) map into the run before them.
   */
  runs: OffsetRun[];
}

export interface OffsetRun {
  at: number;
  source: number;
}

/** Text spoken exactly as written, starting at `source` in the input. */
export function verbatim(text: string, source = 0): SpokenText {
  return { text, runs: [{ at: 0, source }] };
}

/** Where spoken offset `offset` came from in the source. */
export function sourceOffset(spoken: SpokenText, offset: number): number {
  const run = spoken.runs[runAt(spoken, offset)];
  return run ? run.source + Math.max(0, offset - run.at) : offset;
}

/** The index of the last run starting at or before `offset` (0 when none does). */
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

/** The part of `spoken` from `start` to `end`, its map kept. */
export function sliceSpoken(spoken: SpokenText, start: number, end: number): SpokenText {
  const runs: OffsetRun[] = [{ at: 0, source: sourceOffset(spoken, start) }];
  // Only the runs inside the slice are visited: a dense lexicon leaves a run per replaced letter.
  for (let i = runAt(spoken, start) + 1; i < spoken.runs.length && spoken.runs[i]!.at < end; i++) {
    const run = spoken.runs[i]!;
    if (run.at > start) runs.push({ at: run.at - start, source: run.source });
  }
  return { text: spoken.text.slice(start, end), runs };
}

/**
 * Builds a SpokenText piece by piece, merging runs that continue each other, so a reader can emit
 * text as it walks its tree.
 */
export class SpokenTextBuilder {
  private readonly parts: string[] = [];
  private readonly runs: OffsetRun[] = [];
  private length = 0;

  /** Text copied from the source at `source`. */
  copy(text: string, source: number): this {
    if (text === '') return this;
    const last = this.runs[this.runs.length - 1];
    if (!last || last.source + (this.length - last.at) !== source) this.runs.push({ at: this.length, source });
    return this.append(text);
  }

  /** Text the reader adds (a full stop, a paragraph break): it points where the text before it ended. */
  insert(text: string): this {
    if (this.runs.length === 0 && text !== '') this.runs.push({ at: 0, source: 0 });
    return this.append(text);
  }

  /** A whole SpokenText, its runs shifted to where it lands. */
  add(spoken: SpokenText): this {
    spoken.runs.forEach((run, i) => {
      const end = spoken.runs[i + 1]?.at ?? spoken.text.length;
      if (end > run.at) this.copy(spoken.text.slice(run.at, end), run.source);
    });
    return this;
  }

  /** The last character so far, or '' when empty. */
  get lastCharacter(): string {
    return this.parts[this.parts.length - 1]?.slice(-1) ?? '';
  }

  get textLength(): number {
    return this.length;
  }

  build(): SpokenText {
    return { text: this.parts.join(''), runs: this.runs.length > 0 ? [...this.runs] : [{ at: 0, source: 0 }] };
  }

  private append(text: string): this {
    this.parts.push(text);
    this.length += text.length;
    return this;
  }
}
