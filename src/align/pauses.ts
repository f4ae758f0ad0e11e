/** A sound this short between two quiet stretches (a click, a breath) does not end a pause. */
export const PAUSE_BRIDGE = 0.03;

/** A stretch of a signal with no speech in it, in seconds. */
export interface Pause {
  start: number;
  end: number;
}

/** How quiet runs are found in a level track. */
export interface QuietRunOptions {
  /** The level, in dB, at or below which a frame is quiet. */
  quiet: number;
  /** Seconds from one level frame to the next. */
  hopSeconds: number;
  /** The shortest run that is a pause. */
  minSeconds: number;
  /** The most sound between two runs that still makes them one pause. */
  bridgeSeconds?: number;
}

/**
 * Runs of at least `minSeconds` whose frames are all at or below `quiet` dB. Two runs with at most
 * `bridgeSeconds` of sound between them are one pause: a click or a breath does not split it.
 */
export function quietRuns(levels: Float32Array, { quiet, hopSeconds, minSeconds, bridgeSeconds = 0 }: QuietRunOptions): Pause[] {
  const runs: Pause[] = [];
  const minFrames = Math.max(1, Math.round(minSeconds / hopSeconds));
  let from = -1;
  for (let i = 0; i <= levels.length; i++) {
    const isQuiet = i < levels.length && levels[i]! <= quiet;
    if (isQuiet && from < 0) from = i;
    if (!isQuiet && from >= 0) {
      const run = { start: from * hopSeconds, end: i * hopSeconds };
      const last = runs.at(-1);
      if (i - from < minFrames) {
        // Too short to be a pause.
      } else if (last && run.start - last.end <= bridgeSeconds + 1e-9) last.end = run.end;
      else runs.push(run);
      from = -1;
    }
  }
  return runs;
}

function overlap(p: Pause, from: number, to: number): number {
  return Math.min(p.end, to) - Math.max(p.start, from);
}

/** How far apart two intervals are; 0 when they touch or overlap. */
function gapBetween(p: Pause, from: number, to: number): number {
  return Math.max(0, Math.max(p.start, from) - Math.min(p.end, to));
}

/**
 * The pause a sentence change falls in, given where the warping put the reference's pause
 * ([from, to] in the target): the one sharing the most time with it, else the nearest within
 * `reach` seconds. Between two that share as much, the longer one: a sentence end pauses longer
 * than the closure of a stop consonant.
 */
export function pauseFor(pauses: readonly Pause[], { from, to }: { from: number; to: number }, { reach }: { reach: number }): Pause | undefined {
  let best: Pause | undefined;
  let bestScore = -Infinity;
  for (const p of pauses) {
    if (p.end < from - reach) continue;
    if (p.start > to + reach) break;
    const shared = overlap(p, from, to);
    const score = shared > 0 ? shared + 0.001 * (p.end - p.start) : -gapBetween(p, from, to);
    if (score > bestScore) (best = p), (bestScore = score);
  }
  return best;
}

/** The pause whose middle lies nearest `at`, within `reach` seconds of the pause. */
export function nearestPause(pauses: readonly Pause[], at: number, reach: number): Pause | undefined {
  let best: Pause | undefined;
  for (const p of pauses) {
    if (gapBetween(p, at, at) > reach) continue;
    if (!best || Math.abs((p.start + p.end) / 2 - at) < Math.abs((best.start + best.end) / 2 - at)) best = p;
  }
  return best;
}
