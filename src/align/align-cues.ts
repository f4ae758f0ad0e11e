import { analyze } from './features.js';
import { warp, type WarpPath } from './dtw.js';
import type { Signal } from './levels.js';
import { nearestPause, PAUSE_BRIDGE, pauseFor, quietRuns, type Pause } from './pauses.js';

export type { Signal } from './levels.js';

/** Where one cue's sound starts and ends in the reference, in its samples. */
export interface ReferenceCue {
  start: number;
  end: number;
  /** The cue ends a sentence (rather than a clause-sized piece of a longer one). */
  endsSentence: boolean;
}

export interface AlignInput {
  /** The speech to time: one request's audio. */
  target: Signal;
  /** The same text spoken by the reference voice, cue after cue. */
  reference: Signal;
  cues: readonly ReferenceCue[];
}

/** Where a cue starts and ends in the target, in seconds. */
export interface CueTime {
  start: number;
  end: number;
}

/** Shortest quiet stretch taken for a pause; the closure of a stop consonant is about as long. */
const MIN_PAUSE = 0.04;
/** How far from where the warping points a sentence's pause may still be looked for. */
const SENTENCE_REACH = 0.6;
/**
 * The warped pause is widened by this much each side before pauses are measured against it: where
 * the warping is a little off (a weak first sound taken for silence), the long pause of a sentence
 * end still shares more with it than the closure of a stop consonant does.
 */
const WARP_SLACK = 0.15;
/** How near a clause boundary a pause must be for the boundary to move into it. */
const CLAUSE_REACH = 0.15;
/** A cue change comes at most this long before the next sentence's first sound. */
const LEAD_IN = 0.25;

/**
 * Times each cue of one request. The target is warped onto the reference (DTW over MFCC frames);
 * each sentence change then moves into the target's own pause that the warped reference pause
 * points into, where the cue change is placed in the middle, or LEAD_IN before the next sentence
 * when the pause is long: far from both sentences' sounds, and never long before the words it
 * shows. Clause changes inside a sentence move into a nearby pause when there is one. Cues follow
 * each other without gaps; the first starts at the speech's first sound, the last ends at its last.
 */
export function alignCues(input: AlignInput): CueTime[] {
  const { cues, reference, target } = input;
  if (cues.length === 0) return [];
  const ref = analyze(reference);
  const tgt = analyze(target);
  const { path, hopSeconds } = warp(ref.features, tgt.features);
  const levelHop = tgt.features.hopSeconds;
  const pauses = quietRuns(tgt.levels, { quiet: tgt.scale.quiet, hopSeconds: levelHop, minSeconds: MIN_PAUSE, bridgeSeconds: PAUSE_BRIDGE });
  const duration = target.samples.length / target.sampleRate;
  const map = (seconds: number, edge: 'first' | 'last'): number => mapTime(path, hopSeconds, seconds, edge);
  const refTime = (sample: number): number => sample / reference.sampleRate;

  const changes: number[] = [];
  for (let k = 0; k + 1 < cues.length; k++) {
    const from = map(refTime(cues[k]!.end), 'first');
    const to = map(refTime(cues[k + 1]!.start), 'first');
    changes.push(cues[k]!.endsSentence ? sentenceChange(pauses, from, to) : clauseChange(pauses, (from + to) / 2));
  }
  // The speech starts where the pause that shares most with the warped reference's leading silence
  // ends (a stop consonant's closure in the first word may share a little), and ends likewise.
  const start = pauseFor(pauses, { from: 0, to: map(refTime(cues[0]!.start), 'first') }, { reach: 0 })?.end ?? 0;
  const end = pauseFor(pauses, { from: map(refTime(cues[cues.length - 1]!.end), 'last'), to: duration }, { reach: 0 })?.start ?? duration;
  return toCueTimes(changes, Math.max(0, start), Math.min(duration, end));
}

/** The target time a reference time maps to: the first (or last) target frame paired with it. */
function mapTime(path: WarpPath, hop: number, seconds: number, edge: 'first' | 'last'): number {
  const frames = path.first.length;
  const i = Math.min(frames - 1, Math.max(0, Math.floor(seconds / hop)));
  return edge === 'first' ? path.first[i]! * hop : (path.last[i]! + 1) * hop;
}

function sentenceChange(pauses: readonly Pause[], from: number, to: number): number {
  const pause = pauseFor(pauses, { from: from - WARP_SLACK, to: to + WARP_SLACK }, { reach: SENTENCE_REACH });
  if (!pause) return (from + to) / 2;
  return Math.max((pause.start + pause.end) / 2, pause.end - LEAD_IN);
}

function clauseChange(pauses: readonly Pause[], at: number): number {
  const pause = nearestPause(pauses, at, CLAUSE_REACH);
  return pause ? (pause.start + pause.end) / 2 : at;
}

/** Contiguous cues from their changes, kept in order should two changes have picked one pause. */
function toCueTimes(changes: readonly number[], start: number, end: number): CueTime[] {
  const times: CueTime[] = [];
  let at = start;
  for (const change of changes) {
    const next = Math.min(Math.max(change, at), end);
    times.push({ start: at, end: next });
    at = next;
  }
  times.push({ start: at, end: Math.max(at, end) });
  return times;
}
