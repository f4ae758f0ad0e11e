import { frameLevels, levelScale, type LevelScale, type Signal } from './levels.js';
import { RealFft } from './real-fft.js';

/** Feature vectors, one a frame, row after row. */
export interface Features {
  count: number;
  dim: number;
  data: Float32Array;
  hopSeconds: number;
}

export interface FeatureOptions {
  hopSeconds: number;
  windowSeconds: number;
  melBands: number;
  lowHz: number;
  /**
   * The top of the mel bands. 3.8 kHz keeps narrow-band voices (8 kHz telephone-style engines)
   * comparable with the 22 kHz reference: what lies above is missing from one of them.
   */
  highHz: number;
  cepstra: number;
  /** Weight of the speech-presence feature against the unit-variance cepstra. */
  presenceWeight: number;
}

export const DEFAULT_FEATURES: FeatureOptions = {
  hopSeconds: 0.01,
  windowSeconds: 0.02,
  melBands: 26,
  lowHz: 100,
  highHz: 3800,
  cepstra: 12,
  presenceWeight: 3,
};

/** A signal's frame levels and its features, which align-cues needs both of. */
export interface Analysis {
  levels: Float32Array;
  scale: LevelScale;
  features: Features;
}

/**
 * MFCCs (c1…cN, normalized to zero mean and unit variance over the frames that hold speech) scaled
 * by how surely each frame is speech, plus that certainty itself. Pauses so become one point
 * whatever their noise, far from every speech sound, and DTW matches pause to pause: the landmarks
 * sentence boundaries are found by. Mean and variance are the signal's own, which takes out most of
 * the difference between two voices and two recording chains.
 */
export function analyze(signal: Signal, options: FeatureOptions = DEFAULT_FEATURES): Analysis {
  const levels = frameLevels(signal, options.hopSeconds);
  const scale = levelScale(levels);
  const cepstra = mfcc(signal, levels.length, options);
  normalize(cepstra, options.cepstra, levels, scale.quiet);
  const dim = options.cepstra + 1;
  const data = new Float32Array(levels.length * dim);
  for (let i = 0; i < levels.length; i++) {
    const presence = 1 / (1 + Math.exp(-(levels[i]! - scale.quiet - 3) / 2));
    for (let c = 0; c < options.cepstra; c++) data[i * dim + c] = presence * cepstra[i * options.cepstra + c]!;
    data[i * dim + options.cepstra] = presence * options.presenceWeight;
  }
  return { levels, scale, features: { count: levels.length, dim, data, hopSeconds: options.hopSeconds } };
}

/** Cepstra c1…cN of `count` frames, each window centred on its hop. */
export function mfcc(signal: Signal, count: number, options: FeatureOptions): Float32Array {
  const { sampleRate, samples } = signal;
  const width = Math.round(options.windowSeconds * sampleRate);
  const fft = new RealFft(2 ** Math.ceil(Math.log2(width)));
  const bank = melBank(fft.size, sampleRate, options);
  const dct = dctTable(options.melBands, options.cepstra);
  const window = Float64Array.from({ length: width }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (width - 1)));
  const frame = new Float64Array(fft.size);
  const power = new Float64Array(fft.size / 2 + 1);
  const mel = new Float64Array(options.melBands);
  const out = new Float32Array(count * options.cepstra);
  const hop = options.hopSeconds * sampleRate;
  for (let i = 0; i < count; i++) {
    const start = Math.round((i + 0.5) * hop - width / 2);
    for (let j = 0; j < width; j++) {
      const at = start + j;
      // Pre-emphasis (0.97) on the fly, so the signal is never copied.
      const x = at >= 1 && at < samples.length ? samples[at]! - 0.97 * samples[at - 1]! : 0;
      frame[j] = x * window[j]!;
    }
    fft.power(frame, power);
    applyBank(bank, power, mel);
    for (let b = 0; b < mel.length; b++) mel[b] = Math.log(mel[b]! + 1e-10);
    for (let c = 0; c < options.cepstra; c++) {
      let sum = 0;
      for (let b = 0; b < mel.length; b++) sum += dct[c * mel.length + b]! * mel[b]!;
      out[i * options.cepstra + c] = sum;
    }
  }
  return out;
}

/** Triangular mel filters as (first bin, weights) pairs. */
interface MelBank {
  first: Int32Array;
  weights: Float64Array[];
}

function melBank(size: number, sampleRate: number, options: FeatureOptions): MelBank {
  const toMel = (hz: number): number => 2595 * Math.log10(1 + hz / 700);
  const toHz = (mel: number): number => 700 * (10 ** (mel / 2595) - 1);
  const low = toMel(options.lowHz);
  const high = toMel(Math.min(options.highHz, sampleRate / 2));
  const edges = Array.from({ length: options.melBands + 2 }, (_, i) => (toHz(low + ((high - low) * i) / (options.melBands + 1)) * size) / sampleRate);
  const first = new Int32Array(options.melBands);
  const weights: Float64Array[] = [];
  for (let b = 0; b < options.melBands; b++) {
    const [left, centre, right] = [edges[b]!, edges[b + 1]!, edges[b + 2]!];
    const from = Math.ceil(left);
    const to = Math.floor(right);
    first[b] = from;
    const w = new Float64Array(Math.max(0, to - from + 1));
    for (let k = from; k <= to; k++) w[k - from] = k <= centre ? (k - left) / (centre - left) : (right - k) / (right - centre);
    weights.push(w);
  }
  return { first, weights };
}

function applyBank(bank: MelBank, power: Float64Array, out: Float64Array): void {
  for (let b = 0; b < out.length; b++) {
    const w = bank.weights[b]!;
    const from = bank.first[b]!;
    let sum = 0;
    for (let k = 0; k < w.length; k++) sum += w[k]! * power[from + k]!;
    out[b] = sum;
  }
}

/** DCT-II rows for c1…cN (c0, the loudness, is left to the presence feature). */
function dctTable(bands: number, cepstra: number): Float64Array {
  const table = new Float64Array(cepstra * bands);
  for (let c = 0; c < cepstra; c++) {
    for (let b = 0; b < bands; b++) table[c * bands + b] = Math.cos((Math.PI * (c + 1) * (b + 0.5)) / bands) * Math.sqrt(2 / bands);
  }
  return table;
}

/** Zero mean, unit variance per coefficient, over the frames louder than `quiet`. */
function normalize(data: Float32Array, dim: number, levels: Float32Array, quiet: number): void {
  const mean = new Float64Array(dim);
  const square = new Float64Array(dim);
  let n = 0;
  for (let i = 0; i < levels.length; i++) {
    if (levels[i]! <= quiet) continue;
    n++;
    for (let c = 0; c < dim; c++) {
      const x = data[i * dim + c]!;
      mean[c] = mean[c]! + x;
      square[c] = square[c]! + x * x;
    }
  }
  if (n === 0) return;
  for (let c = 0; c < dim; c++) {
    const m = mean[c]! / n;
    const sd = Math.sqrt(Math.max(1e-9, square[c]! / n - m * m));
    for (let i = 0; i < levels.length; i++) data[i * dim + c] = (data[i * dim + c]! - m) / sd;
  }
}
