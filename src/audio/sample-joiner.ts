import { AudioError } from '../errors.js';
import type { AudioJoiner, JoinEnd } from './joiner.js';
import { WavReader, wavHeader, wavSizePatches, type WavLayout } from './wav.js';

/** Turns a run of samples into an output format: raw pcm, wav, or (long text) a local encoder. */
export interface SampleEncoder {
  write(samples: Uint8Array): Uint8Array[];
  finish(): JoinEnd;
}

export type SampleEncoderFactory = (layout: WavLayout) => SampleEncoder;

export const rawPcmEncoder: SampleEncoderFactory = () => ({
  write: (samples) => [samples],
  finish: () => ({ tail: [], patches: [] }),
});

/** One header up front with streaming sizes; exact sizes patched in where the output can seek. */
export const wavEncoder: SampleEncoderFactory = (layout) => {
  let dataBytes = 0;
  let started = false;
  return {
    write(samples) {
      dataBytes += samples.length;
      if (started) return [samples];
      started = true;
      return [wavHeader(layout, undefined), samples];
    },
    finish() {
      // A run with no samples at all still yields a valid, empty WAV file.
      const tail = started ? [] : [wavHeader(layout, 0)];
      return { tail, patches: wavSizePatches(dataBytes) };
    },
  };
};

/**
 * Joins chunks that carry samples (raw pcm or wav) at sample level, so the seams are bit-exact:
 * every chunk's header is dropped, partial sample frames are never passed on (an odd byte would
 * shift every later sample), and each chunk must have the first chunk's rate and channels.
 */
export class SampleJoiner implements AudioJoiner {
  private encoder: SampleEncoder | undefined;
  private layout: WavLayout | undefined;
  private reader: WavReader | undefined;
  private carry: Uint8Array = new Uint8Array(0);
  private chunk = 1;
  private sampleBytes = 0;

  constructor(
    private readonly input: 'pcm' | 'wav',
    /** Layout of raw pcm input, which carries none of its own. */
    private readonly pcmLayout: WavLayout,
    private readonly makeEncoder: SampleEncoderFactory,
  ) {}

  push(bytes: Uint8Array): Uint8Array[] {
    if (this.input === 'pcm') {
      this.adopt(this.pcmLayout);
      return this.frames(bytes);
    }
    this.reader ??= new WavReader(`chunk ${this.chunk}`);
    const samples = this.reader.push(bytes);
    if (this.reader.layout) this.adopt(this.reader.layout);
    return samples.flatMap((s) => this.frames(s));
  }

  endChunk(): Uint8Array[] {
    this.reader?.end();
    this.reader = undefined;
    // An incomplete last frame is dropped: it cannot be played and would misalign the next chunk.
    this.carry = new Uint8Array(0);
    this.chunk++;
    return [];
  }

  finish(): JoinEnd {
    this.adopt(this.pcmLayout);
    return this.encoder!.finish();
  }

  seconds(): number | undefined {
    const l = this.layout;
    return l ? this.sampleBytes / (l.sampleRate * l.channels * Math.ceil(l.bitsPerSample / 8)) : undefined;
  }

  private adopt(layout: WavLayout): void {
    if (this.layout === undefined) {
      this.layout = layout;
      this.encoder = this.makeEncoder(layout);
      return;
    }
    const a = this.layout;
    if (a.sampleRate !== layout.sampleRate || a.channels !== layout.channels || a.bitsPerSample !== layout.bitsPerSample || a.formatTag !== layout.formatTag) {
      throw new AudioError(
        `chunk ${this.chunk} is ${describe(layout)} but chunk 1 was ${describe(a)}; they cannot be joined`,
        { hint: 'The server changed its output between requests; rerun, or pick a fixed model and voice.' },
      );
    }
  }

  private frames(bytes: Uint8Array): Uint8Array[] {
    const frameSize = this.layout!.channels * Math.ceil(this.layout!.bitsPerSample / 8);
    let data = bytes;
    if (this.carry.length > 0) {
      data = Buffer.concat([this.carry, bytes]);
      this.carry = new Uint8Array(0);
    }
    const whole = data.length - (data.length % frameSize);
    if (whole < data.length) this.carry = data.slice(whole);
    this.sampleBytes += whole;
    return whole === 0 ? [] : this.encoder!.write(data.subarray(0, whole));
  }
}

const describe = (l: WavLayout): string => `${l.sampleRate} Hz, ${l.channels} channel(s), ${l.bitsPerSample}-bit`;
