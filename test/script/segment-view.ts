import type { Segment } from '../../src/plan/segment.js';
import type { SpokenText } from '../../src/text/spoken-text.js';

/** Segments as a test reads them: what is said and how, pauses, marks. */
export type SegmentView =
  | { say: string; voice?: string; speed?: number; instructions?: string }
  | { pause: number }
  | { mark: string }
  | { chapter: string };

export function view(segments: readonly Segment[]): SegmentView[] {
  return segments.map((segment) => {
    switch (segment.kind) {
      case 'speech': {
        const { voice, speed, instructions } = segment.style;
        return {
          say: segment.text.text,
          ...(voice === undefined ? {} : { voice }),
          ...(speed === undefined ? {} : { speed }),
          ...(instructions === undefined ? {} : { instructions }),
        };
      }
      case 'pause':
        return { pause: segment.ms };
      case 'mark':
        return { mark: segment.name };
      case 'chapter':
        return { chapter: segment.title };
    }
  });
}

/**
 * A spoken text's map as pairs: each run's spoken text beside the source text at the offset the
 * run points to, of the same length. A piece the reader copied reads the same on both sides.
 */
export function runPairs(spoken: SpokenText, source: string): [string, string][] {
  return spoken.runs.map((run, i) => {
    const end = spoken.runs[i + 1]?.at ?? spoken.text.length;
    return [spoken.text.slice(run.at, end), source.slice(run.source, run.source + end - run.at)];
  });
}

export function speechTexts(segments: readonly Segment[]): SpokenText[] {
  return segments.flatMap((s) => (s.kind === 'speech' ? [s.text] : []));
}
