/**
 * Power spectrum of a real frame of `size` samples (a power of two): an in-place radix-2 FFT of
 * size/2 complex points, then the split step that unpacks the real transform. Tables are built once
 * per size, so a frame costs only the butterflies.
 */
export class RealFft {
  readonly size: number;
  private readonly half: number;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly reversed: Uint32Array;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;

  constructor(size: number) {
    if (size < 4 || (size & (size - 1)) !== 0) throw new RangeError(`FFT size must be a power of two ≥ 4, not ${size}`);
    this.size = size;
    this.half = size / 2;
    this.re = new Float64Array(this.half);
    this.im = new Float64Array(this.half);
    this.reversed = bitReversal(this.half);
    // Twiddles for the full size: the half-size butterflies use every other one.
    this.cos = new Float64Array(this.half);
    this.sin = new Float64Array(this.half);
    for (let k = 0; k < this.half; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / size);
      this.sin[k] = -Math.sin((2 * Math.PI * k) / size);
    }
  }

  /** |X[k]|² for k = 0 … size/2 into `out` (length size/2 + 1). `frame` holds `size` samples. */
  power(frame: Float64Array, out: Float64Array): void {
    const { half, re, im, reversed } = this;
    for (let i = 0; i < half; i++) {
      const j = reversed[i]!;
      re[j] = frame[2 * i]!;
      im[j] = frame[2 * i + 1]!;
    }
    this.butterflies();
    // Split: X[k] = (Z[k] + conj Z[N/2-k])/2 + W^k (Z[k] - conj Z[N/2-k])/(2i).
    out[0] = (re[0]! + im[0]!) ** 2;
    out[half] = (re[0]! - im[0]!) ** 2;
    for (let k = 1; k < half; k++) {
      const ar = re[k]!;
      const ai = im[k]!;
      const br = re[half - k]!;
      const bi = -im[half - k]!;
      const evenR = (ar + br) / 2;
      const evenI = (ai + bi) / 2;
      const oddR = (ai - bi) / 2;
      const oddI = -(ar - br) / 2;
      const c = this.cos[k]!;
      const s = this.sin[k]!;
      const xr = evenR + oddR * c - oddI * s;
      const xi = evenI + oddR * s + oddI * c;
      out[k] = xr * xr + xi * xi;
    }
  }

  private butterflies(): void {
    const { half, re, im } = this;
    for (let span = 1; span < half; span *= 2) {
      const stride = this.half / span;
      for (let start = 0; start < half; start += 2 * span) {
        for (let k = 0; k < span; k++) {
          const c = this.cos[k * stride]!;
          const s = this.sin[k * stride]!;
          const a = start + k;
          const b = a + span;
          const tr = re[b]! * c - im[b]! * s;
          const ti = re[b]! * s + im[b]! * c;
          re[b] = re[a]! - tr;
          im[b] = im[a]! - ti;
          re[a] = re[a]! + tr;
          im[a] = im[a]! + ti;
        }
      }
    }
  }
}

function bitReversal(n: number): Uint32Array {
  const table = new Uint32Array(n);
  const bits = Math.log2(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    table[i] = r;
  }
  return table;
}
