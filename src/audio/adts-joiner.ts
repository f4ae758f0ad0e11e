import { AudioError } from '../errors.js';
import { BitWriter } from './bit-writer.js';
import { ByteQueue, id3v2Size } from './byte-queue.js';
import { JoinState, positionSeconds, type AudioJoiner, type AudioPosition, type JoinEnd } from './joiner.js';

interface AdtsHeader {
  profile: number;
  rateIndex: number;
  channels: number;
  frameBytes: number;
  blocks: number;
}

const RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

function parseAdts(b: Buffer, at = 0): AdtsHeader | undefined {
  if (at + 7 > b.length || b[at] !== 0xff || (b[at + 1]! & 0xf6) !== 0xf0) return undefined;
  const rateIndex = (b[at + 2]! >> 2) & 0x0f;
  const frameBytes = ((b[at + 3]! & 0x03) << 11) | (b[at + 4]! << 3) | (b[at + 5]! >> 5);
  const headerBytes = (b[at + 1]! & 1) === 1 ? 7 : 9;
  if (rateIndex >= RATES.length || frameBytes <= headerBytes) return undefined;
  return {
    profile: b[at + 2]! >> 6,
    rateIndex,
    channels: ((b[at + 2]! & 1) << 2) | (b[at + 3]! >> 6),
    frameBytes,
    blocks: (b[at + 6]! & 3) + 1,
  };
}

/**
 * Joins AAC chunks in ADTS framing. ADTS frames stand alone, so the join is a validated copy: each
 * frame's 13-bit length must land on the next sync, ID3 tags are stripped, and every chunk must
 * have the first chunk's profile, rate and channels. MP4/M4A (which a server may send instead) has
 * no frame boundaries to stream and is refused.
 *
 * Timeline: ADTS has no way to state an encoder's priming or padding, so ffmpeg decodes every frame
 * in full (1024 samples each): a chunk's span holds its encoder's priming (1024 samples from
 * ffmpeg's encoder) and its padding. Pauses are silent frames, in whole frames.
 */
export class AdtsJoiner implements AudioJoiner {
  private readonly queue = new ByteQueue();
  private first: AdtsHeader | undefined;
  /** The first frame's header bytes, the model for silent frames. */
  private firstHeader: Buffer | undefined;
  private chunk = 1;
  private started = false;
  private readonly state = new JoinState();
  /** Samples per channel joined so far. */
  samples = 0;

  push(bytes: Uint8Array): Uint8Array[] {
    this.state.pushing(this.first ? this.samples : undefined);
    this.queue.push(bytes);
    return this.drain({ final: false });
  }

  endChunk(): Uint8Array[] {
    const out = this.drain({ final: true });
    if (!this.started) throw new AudioError(`chunk ${this.chunk} holds no AAC frames`);
    this.queue.clear();
    this.started = false;
    this.chunk++;
    this.state.ended();
    return out;
  }

  /**
   * Whole silent frames (1024 samples each) with the stream's profile, rate and channels: every
   * channel element with no scale factor bands, so no spectral data. At 24 kHz, 750 ms (18,000
   * samples) becomes 18 frames, 18,432 samples.
   */
  silence(ms: number): Uint8Array[] {
    this.state.pause(ms);
    if (!this.first) {
      this.state.pendingMs += ms;
      return [];
    }
    return this.silentFrames(ms);
  }

  finish(): JoinEnd {
    return { tail: [], patches: [] };
  }

  position(): AudioPosition | undefined {
    return this.first && { samples: this.samples, sampleRate: RATES[this.first.rateIndex]! };
  }

  chunkStart(): AudioPosition | undefined {
    return this.state.chunkStart(this.first && RATES[this.first.rateIndex]);
  }

  seconds(): number | undefined {
    return positionSeconds(this.position());
  }

  private silentFrames(ms: number): Buffer[] {
    const f = this.first!;
    const payload = silentRawDataBlock(f.channels, this.chunk);
    const frame = Buffer.alloc(7 + payload.length);
    this.firstHeader!.copy(frame, 0, 0, 7);
    frame[1] = frame[1]! | 0x01; // no CRC: a 7-byte header
    frame[3] = (frame[3]! & 0xfc) | (frame.length >> 11);
    frame[4] = (frame.length >> 3) & 0xff;
    frame[5] = ((frame.length & 7) << 5) | 0x1f; // buffer fullness 0x7FF: variable bitrate
    frame[6] = 0xfc; // one raw data block
    payload.copy(frame, 7);
    const count = Math.round((ms * RATES[f.rateIndex]!) / 1000 / 1024);
    this.samples += count * 1024;
    return Array.from({ length: count }, () => frame);
  }

  private drain({ final }: { final: boolean }): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (;;) {
      const buf = this.queue.view();
      if (buf.length < 10 && !final) break;
      if (buf.length === 0) break;
      if (!this.started && buf.length >= 8 && buf.toString('latin1', 4, 8) === 'ftyp') {
        throw new AudioError(`chunk ${this.chunk} is AAC in an MP4 container, not ADTS, and cannot be streamed or joined`, {
          hint: 'Choose --format mp3, opus or flac for this provider.',
        });
      }
      const tag = buf.toString('latin1', 0, 3);
      if (tag === 'ID3' && buf.length >= 10) {
        this.queue.skip(id3v2Size(buf)!);
        continue;
      }
      if (tag === 'TAG') {
        this.queue.skip(128);
        continue;
      }
      const h = parseAdts(buf);
      if (!h) {
        if (final && buf.length < 7) break;
        throw new AudioError(`chunk ${this.chunk} has bytes that are not an ADTS frame at a frame boundary`);
      }
      if (buf.length < h.frameBytes) {
        if (!final) break;
        throw new AudioError(`chunk ${this.chunk} ends inside an AAC frame`);
      }
      if (buf.length >= h.frameBytes + 2 && !parseAdts(buf, h.frameBytes) && buf.toString('latin1', h.frameBytes, h.frameBytes + 3) !== 'TAG') {
        if (buf.length >= h.frameBytes + 7) throw new AudioError(`chunk ${this.chunk}: an AAC frame's length does not lead to the next frame`);
        if (!final) break;
      }
      out.push(...this.check(h, buf));
      this.started = true;
      out.push(this.queue.take(h.frameBytes));
      this.samples += 1024 * h.blocks;
    }
    return out;
  }

  /** Holds each frame to the first one's format; the first one also makes any pending silence. */
  private check(h: AdtsHeader, frame: Buffer): Buffer[] {
    if (!this.first) {
      this.first = h;
      this.firstHeader = Buffer.from(frame.subarray(0, 7));
      const out = this.silentFrames(this.state.pendingMs);
      this.state.pendingMs = 0;
      this.state.known(this.samples);
      return out;
    }
    const f = this.first;
    if (f.profile !== h.profile || f.rateIndex !== h.rateIndex || f.channels !== h.channels) {
      throw new AudioError(
        `chunk ${this.chunk} is AAC at ${RATES[h.rateIndex]} Hz, ${h.channels} channel(s), profile ${h.profile}, but chunk 1 was ${RATES[f.rateIndex]} Hz, ${f.channels} channel(s), profile ${f.profile}; they cannot be joined`,
      );
    }
    return [];
  }
}

/** The syntactic elements of each ADTS channel configuration (ISO 14496-3, table 1.19). */
const CHANNEL_ELEMENTS: Record<number, ('SCE' | 'CPE' | 'LFE')[]> = {
  1: ['SCE'],
  2: ['CPE'],
  3: ['SCE', 'CPE'],
  4: ['SCE', 'CPE', 'SCE'],
  5: ['SCE', 'CPE', 'CPE'],
  6: ['SCE', 'CPE', 'CPE', 'LFE'],
  7: ['SCE', 'CPE', 'CPE', 'CPE', 'LFE'],
};
const ELEMENT_IDS = { SCE: 0, CPE: 1, LFE: 3 } as const;
const END_ID = 7;

/**
 * One raw_data_block that decodes to silence: each channel's individual_channel_stream is a long
 * window with max_sfb 0 (no bands, so no scale factors and no spectral data) and no pulse, TNS or
 * gain control data. Valid for the Main, LC, SSR and LTP object types.
 */
function silentRawDataBlock(channelConfig: number, chunk: number): Buffer {
  const elements = CHANNEL_ELEMENTS[channelConfig];
  if (!elements) throw new AudioError(`chunk ${chunk}: AAC with channel configuration ${channelConfig} cannot have silence made here`);
  const bits = new BitWriter();
  const tags = { SCE: 0, CPE: 0, LFE: 0 };
  const channelStream = (): void => {
    bits.write(100, 8); // global_gain: irrelevant with no bands
    bits.write(0, 1).write(0, 2).write(0, 1).write(0, 6).write(0, 1); // ics_info: long window, max_sfb 0
    bits.write(0, 3); // no pulse, TNS or gain control data
  };
  for (const element of elements) {
    bits.write(ELEMENT_IDS[element], 3).write(tags[element]++, 4);
    if (element === 'CPE') {
      bits.write(0, 1); // common_window off: two full channel streams
      channelStream();
    }
    channelStream();
  }
  bits.write(END_ID, 3);
  return bits.bytes();
}
