import { AudioError } from '../errors.js';
import { ByteQueue, id3v2Size } from './byte-queue.js';
import type { AudioJoiner, JoinEnd } from './joiner.js';

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
 */
export class AdtsJoiner implements AudioJoiner {
  private readonly queue = new ByteQueue();
  private first: AdtsHeader | undefined;
  private chunk = 1;
  private started = false;
  /** Samples per channel joined so far. */
  samples = 0;

  push(bytes: Uint8Array): Uint8Array[] {
    this.queue.push(bytes);
    return this.drain(false);
  }

  endChunk(): Uint8Array[] {
    const out = this.drain(true);
    if (!this.started) throw new AudioError(`chunk ${this.chunk} holds no AAC frames`);
    this.queue.clear();
    this.started = false;
    this.chunk++;
    return out;
  }

  finish(): JoinEnd {
    return { tail: [], patches: [] };
  }

  seconds(): number | undefined {
    const rate = this.first ? RATES[this.first.rateIndex] : undefined;
    return rate ? this.samples / rate : undefined;
  }

  private drain(final: boolean): Uint8Array[] {
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
      this.check(h);
      this.started = true;
      out.push(this.queue.take(h.frameBytes));
      this.samples += 1024 * h.blocks;
    }
    return out;
  }

  private check(h: AdtsHeader): void {
    const f = (this.first ??= h);
    if (f.profile !== h.profile || f.rateIndex !== h.rateIndex || f.channels !== h.channels) {
      throw new AudioError(
        `chunk ${this.chunk} is AAC at ${RATES[h.rateIndex]} Hz, ${h.channels} channel(s), profile ${h.profile}, but chunk 1 was ${RATES[f.rateIndex]} Hz, ${f.channels} channel(s), profile ${f.profile}; they cannot be joined`,
      );
    }
  }
}
