/**
 * Linear-interpolation resampling of mono s16le audio. Used for eSpeak's 22,050 Hz output, which
 * is turned into the 24 kHz every other provider sends; a speech synthesizer's narrow band leaves
 * no content near the new Nyquist frequency for the interpolation to alias.
 */
export function resampleS16(input: Uint8Array, from: number, to: number): Buffer {
  const source = new Int16Array(input.buffer.slice(input.byteOffset, input.byteOffset + (input.byteLength & ~1)));
  if (from === to || source.length === 0) return Buffer.from(source.buffer);
  const length = Math.max(1, Math.round((source.length * to) / from));
  const out = Buffer.alloc(length * 2);
  const step = from / to;
  for (let i = 0; i < length; i++) {
    const at = i * step;
    const left = Math.floor(at);
    const a = source[Math.min(left, source.length - 1)]!;
    const b = source[Math.min(left + 1, source.length - 1)]!;
    out.writeInt16LE(Math.round(a + (b - a) * (at - left)), i * 2);
  }
  return out;
}
