import { AudioError } from '../errors.js';
import { JoinState, positionSeconds, silenceSamples, type AudioJoiner, type AudioPosition, type JoinEnd } from './joiner.js';
import { WavReader, wavHeader, wavSizePatches, type WavLayout } from './wav.js';

/** Turns a run of samples into an output format: raw pcm, wav, or (long text) a local encoder. */
export interface SampleEncoder {
  write(samples: Uint8Array): Uint8Array[];
  finish(): JoinEnd;
  /**
   * Where the next input sample lands in the output as a player decodes it, counting the encoder's
   * priming where players keep it; after finish(), the decoded length of the whole output.
   */
  position(): AudioPosition;
}

export type SampleEncoderFactory = (layout: WavLayout) => SampleEncoder;

const frameBytes = (layout: WavLayout): number => layout.channels * Math.ceil(layout.bitsPerSample / 8);

/** The position of an output that decodes to exactly its input: sample bytes over the frame size. */
function inputPosition(layout: WavLayout, bytes: number): AudioPosition {
  return { samples: bytes / frameBytes(layout), sampleRate: layout.sampleRate };
}

export const rawPcmEncoder: SampleEncoderFactory = (layout) => {
  let dataBytes = 0;
  return {
    write: (samples) => {
      dataBytes += samples.length;
      return [samples];
    },
    finish: () => ({ tail: [], patches: [] }),
    position: () => inputPosition(layout, dataBytes),
  };
};

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
    position: () => inputPosition(layout, dataBytes),
  };
};

/** At most this much silence is handed to an encoder at once, so a long pause needs no big buffer. */
const SILENCE_BLOCK_SECONDS = 1;

/**
 * Joins chunks that carry samples (raw pcm or wav) at sample level, so the seams are bit-exact:
 * every chunk's header is dropped, partial sample frames are never passed on (an odd byte would
 * shift every later sample), and each chunk must have the first chunk's rate and channels. Pauses
 * are zero samples through the same encoder, so they are exact in every format made here.
 */
export class SampleJoiner implements AudioJoiner {
  private encoder: SampleEncoder | undefined;
  private layout: WavLayout | undefined;
  private reader: WavReader | undefined;
  private carry: Uint8Array = new Uint8Array(0);
  private chunk = 1;
  private readonly state = new JoinState();

  constructor(
    private readonly input: 'pcm' | 'wav',
    /** Layout of raw pcm input, which carries none of its own. */
    private readonly pcmLayout: WavLayout,
    private readonly makeEncoder: SampleEncoderFactory,
  ) {
    // Raw pcm's layout is known from the start, so position() is too; a wav's comes with its header.
    if (input === 'pcm') this.adopt(pcmLayout);
  }

  push(bytes: Uint8Array): Uint8Array[] {
    this.state.pushing(this.encoder?.position().samples);
    if (this.input === 'pcm') return this.frames(bytes);
    this.reader ??= new WavReader(`chunk ${this.chunk}`);
    const samples = this.reader.push(bytes);
    const out = this.reader.layout ? this.adopt(this.reader.layout) : [];
    for (const s of samples) out.push(...this.frames(s));
    return out;
  }

  endChunk(): Uint8Array[] {
    this.reader?.end();
    this.reader = undefined;
    // An incomplete last frame is dropped: it cannot be played and would misalign the next chunk.
    this.carry = new Uint8Array(0);
    this.chunk++;
    this.state.ended();
    return [];
  }

  silence(ms: number): Uint8Array[] {
    this.state.pause(ms);
    if (!this.layout) {
      this.state.pendingMs += ms;
      return [];
    }
    return this.zeros(silenceSamples(ms, this.layout.sampleRate));
  }

  finish(): JoinEnd {
    // A run with no chunk at all (or only pauses) still makes a valid output, in the usual layout.
    const out = this.layout ? [] : this.adopt(this.pcmLayout);
    const end = this.encoder!.finish();
    return { tail: [...out, ...end.tail], patches: end.patches };
  }

  position(): AudioPosition | undefined {
    return this.encoder?.position();
  }

  chunkStart(): AudioPosition | undefined {
    return this.state.chunkStart(this.layout?.sampleRate);
  }

  seconds(): number | undefined {
    return positionSeconds(this.position());
  }

  /** Takes the first layout seen (making any silence asked before it), and holds later ones to it. */
  private adopt(layout: WavLayout): Uint8Array[] {
    if (this.layout === undefined) {
      this.layout = layout;
      this.encoder = this.makeEncoder(layout);
      const out = this.zeros(silenceSamples(this.state.pendingMs, layout.sampleRate));
      this.state.pendingMs = 0;
      this.state.known(this.encoder.position().samples);
      return out;
    }
    const a = this.layout;
    if (a.sampleRate !== layout.sampleRate || a.channels !== layout.channels || a.bitsPerSample !== layout.bitsPerSample || a.formatTag !== layout.formatTag) {
      throw new AudioError(
        `chunk ${this.chunk} is ${describe(layout)} but chunk 1 was ${describe(a)}; they cannot be joined`,
        { hint: 'The server changed its output between requests; rerun, or pick a fixed model and voice.' },
      );
    }
    return [];
  }

  private frames(bytes: Uint8Array): Uint8Array[] {
    const size = frameBytes(this.layout!);
    let data = bytes;
    if (this.carry.length > 0) {
      data = Buffer.concat([this.carry, bytes]);
      this.carry = new Uint8Array(0);
    }
    const whole = data.length - (data.length % size);
    if (whole < data.length) this.carry = data.slice(whole);
    return whole === 0 ? [] : this.encoder!.write(data.subarray(0, whole));
  }

  /** `count` silent sample frames through the encoder: zeros, or 0x80 for unsigned 8-bit WAV. */
  private zeros(count: number): Uint8Array[] {
    const layout = this.layout!;
    const size = frameBytes(layout);
    const blockFrames = Math.min(count, layout.sampleRate * SILENCE_BLOCK_SECONDS);
    const block = new Uint8Array(blockFrames * size).fill(layout.bitsPerSample === 8 ? 0x80 : 0);
    const out: Uint8Array[] = [];
    for (let left = count; left > 0; left -= blockFrames) {
      out.push(...this.encoder!.write(left >= blockFrames ? block : block.subarray(0, left * size)));
    }
    return out;
  }
}

const describe = (l: WavLayout): string => `${l.sampleRate} Hz, ${l.channels} channel(s), ${l.bitsPerSample}-bit`;
