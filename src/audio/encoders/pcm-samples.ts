import { AudioError } from '../../errors.js';
import type { WavLayout } from '../wav.js';

/** The encoders take 16-bit integer samples, which is what every speech server sends. */
export function requireS16(layout: WavLayout, format: string): void {
  if (layout.formatTag !== 1 || layout.bitsPerSample !== 16) {
    throw new AudioError(`Cannot encode ${layout.bitsPerSample}-bit ${layout.formatTag === 3 ? 'float' : 'integer'} samples as ${format} here`, {
      hint: 'Ask for wav or pcm instead.',
    });
  }
}

/** s16le bytes (whole frames) as one Float32Array per channel, in [-1, 1). */
export function toFloatPlanes(samples: Uint8Array, channels: number): Float32Array[] {
  const view = new DataView(samples.buffer, samples.byteOffset, samples.byteLength);
  const frames = samples.byteLength / (2 * channels);
  const planes = Array.from({ length: channels }, () => new Float32Array(frames));
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) planes[c]![i] = view.getInt16((i * channels + c) * 2, true) / 32768;
  }
  return planes;
}

/** s16le bytes as interleaved Int32 samples (libFLAC's input). */
export function toInt32(samples: Uint8Array): Int32Array {
  const view = new DataView(samples.buffer, samples.byteOffset, samples.byteLength);
  const out = new Int32Array(samples.byteLength / 2);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}
