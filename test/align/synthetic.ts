import type { Signal } from '../../src/align/levels.js';

import { random } from '../../bench/align-corpus.js';

/** The corpus's seeded random source, for synthetic signals too. */
export { random };

/** A tone of `seconds` (a fundamental and a weaker partial, as a vowel has formants), or a pause. */
export type Part = { hz: number; seconds: number } | { pause: number };

/** Parts one after another at `rate`, with white noise of amplitude `noise` throughout. */
export function sounds(parts: readonly Part[], { noise = 0, rate = 24_000, seed = 1 } = {}): Signal {
  const rand = random(seed);
  const total = parts.reduce((sum, p) => sum + Math.round(('pause' in p ? p.pause : p.seconds) * rate), 0);
  const samples = new Float32Array(total);
  let at = 0;
  for (const part of parts) {
    const length = Math.round(('pause' in part ? part.pause : part.seconds) * rate);
    for (let i = 0; i < length; i++) {
      const t = i / rate;
      // Short ramps, so a tone's edges are not clicks.
      const ramp = Math.min(1, i / (0.005 * rate), (length - i) / (0.005 * rate));
      const tone = 'pause' in part ? 0 : ramp * (0.3 * Math.sin(2 * Math.PI * part.hz * t) + 0.1 * Math.sin(2 * Math.PI * part.hz * 2.3 * t));
      samples[at + i] = tone + noise * (rand() * 2 - 1);
    }
    at += length;
  }
  return { samples, sampleRate: rate };
}
