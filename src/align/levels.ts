/** Mono samples in [-1, 1] at a rate. */
export interface Signal {
  samples: Float32Array;
  sampleRate: number;
}

/** The level of every `hopSeconds` slice of a signal, in dB of mean square (0 dB = full scale). */
export function frameLevels(signal: Signal, hopSeconds: number): Float32Array {
  const hop = hopSeconds * signal.sampleRate;
  const count = Math.floor(signal.samples.length / hop);
  const levels = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const from = Math.round(i * hop);
    const to = Math.round((i + 1) * hop);
    let sum = 0;
    for (let j = from; j < to; j++) sum += signal.samples[j]! ** 2;
    levels[i] = 10 * Math.log10(sum / Math.max(1, to - from) + 1e-12);
  }
  return levels;
}

/** Where a signal's quiet ends and its speech begins, in dB, and the level of its speech. */
export interface LevelScale {
  /** Frames at or below this are quiet (a pause, or background noise). */
  quiet: number;
  /** A typical loud frame of speech. */
  speech: number;
}

/**
 * The quiet threshold sits between the noise floor (a low percentile) and the speech level (a high
 * one): 10 dB above the floor, so steady background noise stays quiet, but never more than 45 dB
 * below the speech (in clean audio, digital silence would otherwise set the floor) nor less than
 * 15 dB below it.
 */
export function levelScale(levels: Float32Array): LevelScale {
  if (levels.length === 0) return { quiet: -120, speech: 0 };
  const sorted = Float32Array.from(levels).sort();
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const floor = at(0.05);
  const speech = at(0.9);
  const quiet = Math.min(Math.max(floor + 10, speech - 45), speech - 15);
  return { quiet, speech };
}
