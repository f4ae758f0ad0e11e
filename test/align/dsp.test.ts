import { describe, expect, test } from 'vitest';
import { bandAround, bandedDtw, diagonalBand, pool, warp } from '../../src/align/dtw.js';
import { analyze, type Features } from '../../src/align/features.js';
import { frameLevels, levelScale } from '../../src/align/levels.js';
import { quietRuns } from '../../src/align/pauses.js';
import { RealFft } from '../../src/align/real-fft.js';
import { random, sounds } from './synthetic.js';

describe('the real FFT', () => {
  test.each([8, 64, 512])('gives the same power spectrum as a plain DFT (size %i)', (size) => {
    const rand = random(size);
    const frame = Float64Array.from({ length: size }, () => rand() * 2 - 1);
    const power = new Float64Array(size / 2 + 1);
    new RealFft(size).power(frame, power);
    for (let k = 0; k <= size / 2; k++) {
      let re = 0;
      let im = 0;
      for (let n = 0; n < size; n++) {
        re += frame[n]! * Math.cos((2 * Math.PI * k * n) / size);
        im -= frame[n]! * Math.sin((2 * Math.PI * k * n) / size);
      }
      expect(power[k]).toBeCloseTo(re * re + im * im, 6);
    }
  });

  test('refuses a size that is not a power of two', () => {
    expect(() => new RealFft(600)).toThrow(RangeError);
  });
});

describe('levels and pauses', () => {
  test('finds the pauses of a signal, to the frame, above steady background noise', () => {
    const signal = sounds(
      [
        { hz: 300, seconds: 0.5 },
        { pause: 0.25 },
        { hz: 700, seconds: 0.4 },
        { pause: 0.6 },
        { hz: 500, seconds: 0.3 },
      ],
      { noise: 0.002 },
    );
    const levels = frameLevels(signal, 0.01);
    const runs = quietRuns(levels, { quiet: levelScale(levels).quiet, hopSeconds: 0.01, minSeconds: 0.04 });
    expect(runs.map((r) => [r.start, r.end].map((t) => Math.round(t * 100) / 100))).toEqual([
      [0.5, 0.75],
      [1.15, 1.75],
    ]);
  });

  test('a click in a pause does not split it, and a gap too short to be a pause is none', () => {
    const signal = sounds([{ hz: 300, seconds: 0.4 }, { pause: 0.2 }, { hz: 900, seconds: 0.02 }, { pause: 0.2 }, { hz: 500, seconds: 0.3 }, { pause: 0.02 }, { hz: 500, seconds: 0.3 }]);
    const levels = frameLevels(signal, 0.01);
    const runs = quietRuns(levels, { quiet: levelScale(levels).quiet, hopSeconds: 0.01, minSeconds: 0.04, bridgeSeconds: 0.03 });
    expect(runs.map((r) => [r.start, r.end].map((t) => Math.round(t * 100) / 100))).toEqual([[0.4, 0.82]]);
  });
});

describe('features', () => {
  test('every pause is one point, far from every sound; different sounds are far apart', () => {
    const { features } = analyze(sounds([{ hz: 300, seconds: 0.3 }, { pause: 0.3 }, { hz: 1200, seconds: 0.3 }, { pause: 0.3 }], { noise: 0.001 }));
    const at = (seconds: number): Float32Array => features.data.subarray(Math.round(seconds * 100) * features.dim, (Math.round(seconds * 100) + 1) * features.dim);
    const distance = (a: Float32Array, b: Float32Array): number => Math.hypot(...a.map((x, i) => x - b[i]!));
    const apart = distance(at(0.15), at(0.75));
    expect(distance(at(0.45), at(1.05))).toBeLessThan(0.1);
    expect(distance(at(0.15), at(0.45))).toBeGreaterThan(2);
    expect(apart).toBeGreaterThan(2);
    expect(distance(at(0.1), at(0.2))).toBeLessThan(apart / 2);
  });
});

/** Features that are just one number a frame: a staircase of levels, each held for some frames. */
function steps(lengths: number[]): Features {
  const values = lengths.flatMap((n, i) => Array<number>(n).fill(i * 10));
  return { count: values.length, dim: 1, data: Float32Array.from(values), hopSeconds: 0.01 };
}

describe('DTW', () => {
  test('pairs each step of one staircase with the same step of another, whatever their lengths', () => {
    const ref = steps([5, 12, 3, 8, 20, 4]);
    const target = steps([9, 4, 11, 8, 6, 15]);
    const path = bandedDtw(ref, target, diagonalBand(ref.count, target.count, 1000));
    const starts = (lengths: number[]): number[] => lengths.map((_, i) => lengths.slice(0, i).reduce((a, b) => a + b, 0));
    for (const [k, at] of starts([5, 12, 3, 8, 20, 4]).entries()) expect(path.first[at]).toBe(starts([9, 4, 11, 8, 6, 15])[k]);
  });

  test('the path runs corner to corner and never goes back', () => {
    const rand = random(3);
    const ref = steps(Array.from({ length: 40 }, () => 1 + Math.floor(rand() * 20)));
    const target = steps(Array.from({ length: 40 }, () => 1 + Math.floor(rand() * 20)));
    const { first, last } = bandedDtw(ref, target, diagonalBand(ref.count, target.count, 200));
    expect(first[0]).toBe(0);
    expect(last[ref.count - 1]).toBe(target.count - 1);
    for (let i = 1; i < ref.count; i++) {
      expect(first[i]).toBeGreaterThanOrEqual(last[i - 1]!);
      expect(first[i]! - last[i - 1]!).toBeLessThanOrEqual(1);
    }
  });

  test('a band keeps the path inside it, and a band around a coarse path, a coarse frame wide, covers the fine one', () => {
    const ref = steps([30, 50, 20, 60, 40]);
    const target = steps([45, 30, 40, 50, 35]);
    const band = diagonalBand(ref.count, target.count, 40);
    const path = bandedDtw(ref, target, band);
    for (let i = 0; i < ref.count; i++) {
      expect(path.first[i]).toBeGreaterThanOrEqual(band.lo[i]!);
      expect(path.last[i]).toBeLessThan(band.hi[i]!);
    }
    const coarse = bandedDtw(pool(ref, 8), pool(target, 8), diagonalBand(Math.ceil(ref.count / 8), Math.ceil(target.count / 8), 10));
    const fine = bandAround(coarse, { ratio: 8, rows: ref.count, cols: target.count, radius: 8 });
    const exact = bandedDtw(ref, target, diagonalBand(ref.count, target.count, 1000));
    for (let i = 0; i < ref.count; i++) {
      expect(exact.first[i]).toBeGreaterThanOrEqual(fine.lo[i]!);
      expect(exact.last[i]).toBeLessThan(fine.hi[i]!);
    }
  });

  test('two passes find the same staircase steps as one exhaustive pass', () => {
    const rand = random(11);
    const lengths = Array.from({ length: 30 }, () => 10 + Math.floor(rand() * 40));
    const stretched = lengths.map((n) => Math.max(2, Math.round(n * (0.5 + rand()))));
    const ref = steps(lengths);
    const target = steps(stretched);
    const { path, hopSeconds } = warp(ref, target);
    expect(hopSeconds).toBeCloseTo(0.02);
    let refAt = 0;
    let targetAt = 0;
    for (let k = 0; k < lengths.length; k++) {
      // Within one 20 ms frame of where the step really starts.
      expect(Math.abs(path.first[Math.floor(refAt / 2)]! * 2 - targetAt)).toBeLessThanOrEqual(2);
      refAt += lengths[k]!;
      targetAt += stretched[k]!;
    }
  });
});
