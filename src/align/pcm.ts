import type { Signal } from './levels.js';

/** 16-bit little-endian samples as floats in [-1, 1). */
export function s16leToSignal(bytes: Uint8Array, sampleRate: number): Signal {
  const count = bytes.length >> 1;
  const samples = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * 2);
  for (let i = 0; i < count; i++) samples[i] = view.getInt16(i * 2, true) / 32768;
  return { samples, sampleRate };
}

/** Samples as floats in [-1, 1). */
export function samplesToSignal(samples: Int16Array, sampleRate: number): Signal {
  return { samples: Float32Array.from(samples, (x) => x / 32768), sampleRate };
}
