import type { Features } from './features.js';

/** For each row (reference frame), the columns (target frames) the search may visit: [lo, hi). */
export interface Band {
  lo: Int32Array;
  hi: Int32Array;
}

/** For each reference frame, the first and last target frame the warping path pairs it with. */
export interface WarpPath {
  first: Int32Array;
  last: Int32Array;
}

const DIAGONAL = 0;
const UP = 1;
const LEFT = 2;

/**
 * Dynamic time warping of `ref` (rows) onto `target` (columns) inside a band, from the first frames
 * of both to the last. Only the band's cells are visited and only a step direction (one byte) is
 * kept per cell, so time and memory grow with the band's area, not with rows × columns.
 */
export function bandedDtw(ref: Features, target: Features, band: Band, stepPenalty = 0): WarpPath {
  const rows = ref.count;
  const cols = target.count;
  if (rows === 0 || cols === 0) return { first: new Int32Array(rows), last: new Int32Array(rows) };
  const offsets = new Float64Array(rows + 1);
  for (let i = 0; i < rows; i++) offsets[i + 1] = offsets[i]! + (band.hi[i]! - band.lo[i]!);
  const steps = new Uint8Array(offsets[rows]!);
  let prev = new Float64Array(cols).fill(Infinity);
  let cur = new Float64Array(cols).fill(Infinity);
  let prevLo = 0;
  let prevHi = 0;
  for (let i = 0; i < rows; i++) {
    const lo = band.lo[i]!;
    const hi = band.hi[i]!;
    const base = offsets[i]! - lo;
    for (let j = lo; j < hi; j++) {
      const d = distance(ref, i, target, j);
      const diagonal = i > 0 && j > prevLo && j - 1 < prevHi ? prev[j - 1]! : Infinity;
      const up = i > 0 && j >= prevLo && j < prevHi ? prev[j]! + stepPenalty : Infinity;
      const left = j > lo ? cur[j - 1]! + stepPenalty : Infinity;
      let best = diagonal;
      let step = DIAGONAL;
      if (up < best) (best = up), (step = UP);
      if (left < best) (best = left), (step = LEFT);
      if (best === Infinity) best = i === 0 && j === 0 ? 0 : Infinity;
      cur[j] = d + best;
      steps[base + j] = step;
    }
    prev.fill(Infinity, prevLo, prevHi);
    [prev, cur] = [cur, prev];
    prevLo = lo;
    prevHi = hi;
  }
  return backtrack(steps, offsets, band, rows, cols);
}

function backtrack(steps: Uint8Array, offsets: Float64Array, band: Band, rows: number, cols: number): WarpPath {
  const first = new Int32Array(rows).fill(cols);
  const last = new Int32Array(rows).fill(-1);
  let i = rows - 1;
  let j = cols - 1;
  for (;;) {
    first[i] = Math.min(first[i]!, j);
    last[i] = Math.max(last[i]!, j);
    if (i === 0 && j === 0) break;
    const step = i === 0 ? LEFT : j === 0 ? UP : steps[offsets[i]! - band.lo[i]! + j]!;
    if (step !== UP) j--;
    if (step !== LEFT) i--;
  }
  return { first, last };
}

function distance(a: Features, i: number, b: Features, j: number): number {
  const dim = a.dim;
  const x = a.data;
  const y = b.data;
  let sum = 0;
  for (let k = 0, p = i * dim, q = j * dim; k < dim; k++, p++, q++) {
    const d = x[p]! - y[q]!;
    sum += d * d;
  }
  return Math.sqrt(sum);
}

/** Every row may reach `radius` columns either side of the straight line from corner to corner. */
export function diagonalBand(rows: number, cols: number, radius: number): Band {
  const slope = rows > 1 ? (cols - 1) / (rows - 1) : 0;
  const r = Math.max(radius, slope + 1);
  const lo = new Int32Array(rows);
  const hi = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    lo[i] = Math.max(0, Math.floor(i * slope - r));
    hi[i] = Math.min(cols, Math.ceil(i * slope + r) + 1);
  }
  return closeBand({ lo, hi }, cols);
}

/** A finer pass's grid, and how the coarse path is fitted onto it. */
export interface FinerGrid {
  /** Fine frames per coarse frame. */
  ratio: number;
  /** The fine reference's and target's frame counts. */
  rows: number;
  cols: number;
  /** Fine frames of room on each side of the scaled-up path. */
  radius: number;
}

/**
 * The band for a finer pass: a coarse path scaled up by `ratio` frames, widened by `radius` fine
 * frames each side, which is room for the coarse pass's error at its frame size.
 */
export function bandAround(coarse: WarpPath, { ratio, rows, cols, radius }: FinerGrid): Band {
  const lo = new Int32Array(rows);
  const hi = new Int32Array(rows);
  const last = coarse.first.length - 1;
  for (let i = 0; i < rows; i++) {
    const c = Math.min(last, Math.floor(i / ratio));
    lo[i] = Math.max(0, coarse.first[c]! * ratio - radius);
    hi[i] = Math.min(cols, (coarse.last[c]! + 1) * ratio + radius);
  }
  return closeBand({ lo, hi }, cols);
}

/** Makes a band one a path can cross: both edges non-decreasing, rows overlapping, corners inside. */
function closeBand(band: Band, cols: number): Band {
  const { lo, hi } = band;
  const rows = lo.length;
  if (rows === 0) return band;
  lo[0] = 0;
  hi[rows - 1] = cols;
  for (let i = 1; i < rows; i++) {
    lo[i] = Math.max(lo[i]!, lo[i - 1]!);
    hi[i] = Math.max(hi[i]!, hi[i - 1]!);
  }
  for (let i = rows - 2; i >= 0; i--) hi[i] = Math.min(hi[i]!, hi[i + 1]!);
  for (let i = 1; i < rows; i++) lo[i] = Math.min(lo[i]!, hi[i - 1]!);
  for (let i = 0; i < rows; i++) hi[i] = Math.max(hi[i]!, lo[i]! + 1);
  return band;
}

/** Averages every `factor` frames into one (the last may average fewer). */
export function pool(features: Features, factor: number): Features {
  if (factor === 1) return features;
  const { dim, data } = features;
  const count = Math.ceil(features.count / factor);
  const out = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) {
    const from = i * factor;
    const to = Math.min(features.count, from + factor);
    for (let f = from; f < to; f++) for (let k = 0; k < dim; k++) out[i * dim + k] = out[i * dim + k]! + data[f * dim + k]!;
    for (let k = 0; k < dim; k++) out[i * dim + k] = out[i * dim + k]! / (to - from);
  }
  return { count, dim, data: out, hopSeconds: features.hopSeconds * factor };
}

export interface WarpOptions {
  /** Frames pooled for the first, whole-length pass. */
  coarseFactor: number;
  /** Frames pooled for the second pass, which follows the first one's path. */
  fineFactor: number;
  /** How far the first pass may stray from the straight diagonal, as a share of the length… */
  coarseRadiusShare: number;
  /** …but at least this many seconds… */
  coarseRadiusSeconds: number;
  /** …and at most this many, which keeps time and memory linear in the length. */
  coarseRadiusMaxSeconds: number;
  /** How far the second pass may stray from the first one's path. */
  fineRadiusSeconds: number;
  /** Added for every frame one sequence waits while the other goes on, per second of frames. */
  stepPenalty: number;
}

export const DEFAULT_WARP: WarpOptions = {
  coarseFactor: 8,
  fineFactor: 2,
  coarseRadiusShare: 0.25,
  coarseRadiusSeconds: 5,
  coarseRadiusMaxSeconds: 60,
  fineRadiusSeconds: 0.6,
  stepPenalty: 25,
};

/**
 * Two-pass DTW: a coarse pass over the whole length in a wide band around the diagonal, then a
 * finer one in a narrow band around the coarse path. The result is at the fine pass's frame size.
 * A five-minute request visits about 6 million cells in the first pass and 1 million in the
 * second, a byte each.
 */
export function warp(ref: Features, target: Features, options: WarpOptions = DEFAULT_WARP): { path: WarpPath; hopSeconds: number } {
  const coarseRef = pool(ref, options.coarseFactor);
  const coarseTarget = pool(target, options.coarseFactor);
  const coarseHop = coarseRef.hopSeconds;
  const longest = Math.max(coarseRef.count, coarseTarget.count);
  const radius = Math.min(Math.max(options.coarseRadiusSeconds / coarseHop, options.coarseRadiusShare * longest), options.coarseRadiusMaxSeconds / coarseHop);
  const coarse = bandedDtw(coarseRef, coarseTarget, diagonalBand(coarseRef.count, coarseTarget.count, Math.ceil(radius)), options.stepPenalty * coarseHop);
  const fineRef = pool(ref, options.fineFactor);
  const fineTarget = pool(target, options.fineFactor);
  const ratio = options.coarseFactor / options.fineFactor;
  const fineRadius = Math.ceil(options.fineRadiusSeconds / fineRef.hopSeconds);
  const band = bandAround(coarse, { ratio, rows: fineRef.count, cols: fineTarget.count, radius: fineRadius });
  return { path: bandedDtw(fineRef, fineTarget, band, options.stepPenalty * fineRef.hopSeconds), hopSeconds: fineRef.hopSeconds };
}
