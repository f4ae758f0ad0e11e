import { AudioError } from '../errors.js';
import { BitWriter } from './bit-writer.js';
import { ByteQueue } from './byte-queue.js';
import { crc16, crc8, parseFlacFrameHeader, utf8Number } from './flac-frame.js';
import { JoinState, positionSeconds, silenceSamples, type AudioJoiner, type AudioPosition, type JoinEnd } from './joiner.js';

interface StreamInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  maxBlock: number;
}

const STREAMINFO_AT = 8;
/** The longest a frame header can be, so a candidate can be checked. */
const MAX_HEADER = 16;

/**
 * Joins FLAC chunks bit-exactly. Every chunk ends in a short block, which a fixed-blocksize stream
 * cannot express, so every frame header is rewritten as variable-blocksize (sync 0xFFF9) carrying
 * its absolute first-sample number, with CRC-8 and CRC-16 recomputed. One STREAMINFO is written,
 * patched on a file with the true totals and frame sizes (MD5 left zero: "not computed").
 *
 * Timeline: FLAC has no priming or padding; position() counts the samples of every frame, and each
 * chunk's audio starts exactly at its span's start. Pauses are exact to the sample.
 */
export class FlacJoiner implements AudioJoiner {
  private readonly queue = new ByteQueue();
  private phase: 'magic' | 'metadata' | 'frames' = 'magic';
  private info: StreamInfo | undefined;
  private chunk = 1;
  private readonly state = new JoinState();
  /** Bytes of the current frame already checked for the next sync, and their CRC-16. */
  private scanned = 0;
  private crc = 0;
  private headerLength = 0;
  /** Samples per channel written so far: the next frame's sample number. */
  samples = 0;
  private minBlock = Infinity;
  private lastBlock = 0;
  private maxBlock = 0;
  private minFrame = Infinity;
  private maxFrame = 0;

  push(bytes: Uint8Array): Uint8Array[] {
    this.state.pushing(this.info ? this.samples : undefined);
    this.queue.push(bytes);
    return this.drain({ final: false });
  }

  endChunk(): Uint8Array[] {
    const out = this.drain({ final: true });
    if (this.phase !== 'frames' || out.length === 0) throw new AudioError(`chunk ${this.chunk} holds no FLAC audio frames`);
    this.phase = 'magic';
    this.scanned = 0;
    this.queue.clear();
    this.chunk++;
    this.state.ended();
    return out;
  }

  /**
   * Exact silence: frames of CONSTANT zero subframes, numbered like every other frame (variable
   * blocksize, absolute sample number), no bigger than the stream's largest block, sized evenly so
   * that none is below FLAC's 16-sample minimum unless the pause itself is.
   */
  silence(ms: number): Uint8Array[] {
    this.state.pause(ms);
    if (!this.info) {
      this.state.pendingMs += ms;
      return [];
    }
    return this.silentFrames(silenceSamples(ms, this.info.sampleRate));
  }

  position(): AudioPosition | undefined {
    return this.info && { samples: this.samples, sampleRate: this.info.sampleRate };
  }

  chunkStart(): AudioPosition | undefined {
    return this.state.chunkStart(this.info?.sampleRate);
  }

  seconds(): number | undefined {
    return positionSeconds(this.position());
  }

  finish(): JoinEnd {
    if (!this.info) return { tail: [], patches: [] };
    // The last block may be short: STREAMINFO's minimum leaves it out.
    const minBlock = Number.isFinite(this.minBlock) ? this.minBlock : this.lastBlock;
    const block = streamInfo(this.info, {
      minBlock: Math.max(16, minBlock),
      maxBlock: Math.max(this.maxBlock, 16),
      minFrame: Number.isFinite(this.minFrame) ? this.minFrame : 0,
      maxFrame: this.maxFrame,
      total: this.samples,
    });
    return { tail: [], patches: [{ offset: STREAMINFO_AT, bytes: block }] };
  }

  private drain({ final }: { final: boolean }): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (;;) {
      const buf = this.queue.view();
      if (this.phase === 'magic') {
        if (buf.length < 4) break;
        if (buf.toString('latin1', 0, 4) !== 'fLaC') throw new AudioError(`chunk ${this.chunk} is not FLAC (no fLaC marker)`);
        this.queue.take(4);
        this.phase = 'metadata';
        continue;
      }
      if (this.phase === 'metadata') {
        if (buf.length < 4) break;
        const last = (buf[0]! & 0x80) !== 0;
        const type = buf[0]! & 0x7f;
        const length = buf.readUIntBE(1, 3);
        if (buf.length < 4 + length) break;
        const block = this.queue.take(4 + length);
        if (type === 0) this.streamInfoBlock(block.subarray(4), out);
        if (last) this.startFrame();
        continue;
      }
      const end = this.frameEnd(buf, { final });
      if (end === undefined) break;
      out.push(this.rewrite(this.queue.take(end)));
      this.startFrame();
    }
    return out;
  }

  private startFrame(): void {
    this.phase = 'frames';
    this.scanned = 0;
    this.crc = 0;
    this.headerLength = 0;
  }

  /** Where the frame at the head of `buf` ends, once the next valid header (or the end) shows it. */
  private frameEnd(buf: Buffer, { final }: { final: boolean }): number | undefined {
    if (buf.length === 0) return undefined;
    if (this.headerLength === 0) {
      const header = parseFlacFrameHeader(buf, 0);
      if (!header) {
        if (!final && buf.length < MAX_HEADER) return undefined;
        throw new AudioError(`chunk ${this.chunk} has a damaged FLAC frame header`);
      }
      this.headerLength = header.length;
    }
    const limit = final ? buf.length : buf.length - MAX_HEADER;
    let i = this.scanned;
    let crc = this.crc;
    for (; i < limit; i++) {
      // A frame ends where a valid header starts and the CRC-16 of everything before it checks out.
      if (i > this.headerLength + 2 && crc === 0 && buf[i] === 0xff && (buf[i + 1]! & 0xfe) === 0xf8 && parseFlacFrameHeader(buf, i)) {
        this.scanned = i;
        this.crc = crc;
        return i;
      }
      crc = crc16(buf, i, i + 1, crc);
    }
    this.scanned = i;
    this.crc = crc;
    if (!final) return undefined;
    if (crc !== 0) throw new AudioError(`chunk ${this.chunk} ends in a damaged FLAC frame (CRC mismatch)`);
    return buf.length;
  }

  private rewrite(frame: Buffer): Buffer {
    const old = parseFlacFrameHeader(frame, 0)!;
    const header = [0xff, 0xf9, old.codes[0], old.codes[1], ...utf8Number(this.samples), ...old.extra];
    header.push(crc8(Uint8Array.from(header), 0, header.length));
    const body = frame.subarray(old.length, frame.length - 2);
    const out = Buffer.alloc(header.length + body.length + 2);
    out.set(header, 0);
    out.set(body, header.length);
    out.writeUInt16BE(crc16(out, 0, out.length - 2), out.length - 2);
    this.count(old.blockSize, out.length);
    return out;
  }

  /** Keeps STREAMINFO's bounds and the running sample number up to date for each frame written. */
  private count(blockSize: number, frameBytes: number): void {
    if (this.lastBlock > 0) this.minBlock = Math.min(this.minBlock, this.lastBlock);
    this.lastBlock = blockSize;
    this.maxBlock = Math.max(this.maxBlock, blockSize);
    this.minFrame = Math.min(this.minFrame, frameBytes);
    this.maxFrame = Math.max(this.maxFrame, frameBytes);
    this.samples += blockSize;
  }

  private silentFrames(samples: number): Buffer[] {
    const info = this.info!;
    const frames = Math.ceil(samples / info.maxBlock);
    const out: Buffer[] = [];
    for (let i = 0; i < frames; i++) {
      const blockSize = Math.floor((samples * (i + 1)) / frames) - Math.floor((samples * i) / frames);
      const frame = this.silentFrame(info, blockSize);
      this.count(blockSize, frame.length);
      out.push(frame);
    }
    return out;
  }

  private silentFrame(info: StreamInfo, blockSize: number): Buffer {
    const rate = rateCode(info.sampleRate);
    const bits = SAMPLE_SIZE_CODES.indexOf(info.bitsPerSample);
    const header = [0xff, 0xf9, 0x70 | rate.code, ((info.channels - 1) << 4) | (Math.max(0, bits) << 1), ...utf8Number(this.samples), (blockSize - 1) >> 8, (blockSize - 1) & 0xff, ...rate.extra];
    header.push(crc8(Uint8Array.from(header), 0, header.length));
    const body = new BitWriter();
    // Per channel: a CONSTANT subframe header (type 000000, no wasted bits) and the value 0.
    for (let c = 0; c < info.channels; c++) body.write(0, 8).write(0, info.bitsPerSample);
    const bytes = body.bytes();
    const frame = Buffer.alloc(header.length + bytes.length + 2);
    frame.set(header, 0);
    bytes.copy(frame, header.length);
    frame.writeUInt16BE(crc16(frame, 0, frame.length - 2), frame.length - 2);
    return frame;
  }

  private streamInfoBlock(block: Buffer, out: Uint8Array[]): void {
    const packed = block.readBigUInt64BE(10);
    const info: StreamInfo = {
      sampleRate: Number(packed >> 44n),
      channels: Number((packed >> 41n) & 7n) + 1,
      bitsPerSample: Number((packed >> 36n) & 31n) + 1,
      maxBlock: block.readUInt16BE(2),
    };
    const first = this.info;
    if (first === undefined) {
      this.info = info;
      // A pipe cannot be patched: it keeps "total unknown" (0) and bounds that stay true.
      const header = Buffer.from([0x80, 0, 0, 34]);
      out.push(Buffer.from('fLaC', 'latin1'), header, streamInfo(info, { minBlock: 16, maxBlock: info.maxBlock, minFrame: 0, maxFrame: 0, total: 0 }));
      out.push(...this.silentFrames(silenceSamples(this.state.pendingMs, info.sampleRate)));
      this.state.pendingMs = 0;
      this.state.known(this.samples);
      return;
    }
    if (first.sampleRate !== info.sampleRate || first.channels !== info.channels || first.bitsPerSample !== info.bitsPerSample) {
      throw new AudioError(
        `chunk ${this.chunk} is FLAC at ${info.sampleRate} Hz, ${info.channels} channel(s), ${info.bitsPerSample}-bit, but chunk 1 was ${first.sampleRate} Hz, ${first.channels} channel(s), ${first.bitsPerSample}-bit; they cannot be joined`,
      );
    }
  }
}

/** FLAC's sample size codes by bits per sample; 0 means "see STREAMINFO". */
const SAMPLE_SIZE_CODES = [0, 8, 12, 0, 16, 20, 24, 32];
/** Sample rates with a code of their own (codes 1-11). */
const RATE_CODES = [0, 88_200, 176_400, 192_000, 8_000, 16_000, 22_050, 24_000, 32_000, 44_100, 48_000, 96_000];

/**
 * A frame header's sample rate code for `rate`, as encoders write it: its own code, else the rate in
 * kHz, Hz or tens of Hz in extra bytes. ffmpeg's parser rejects a frame whose rate or sample size
 * codes differ from its neighbours', so silent frames must code them as encoders do.
 */
function rateCode(rate: number): { code: number; extra: number[] } {
  const own = RATE_CODES.indexOf(rate);
  if (own > 0) return { code: own, extra: [] };
  if (rate % 1000 === 0 && rate <= 255_000) return { code: 12, extra: [rate / 1000] };
  if (rate <= 65_535) return { code: 13, extra: [rate >> 8, rate & 0xff] };
  if (rate % 10 === 0 && rate / 10 <= 65_535) return { code: 14, extra: [(rate / 10) >> 8, (rate / 10) & 0xff] };
  return { code: 0, extra: [] };
}

function streamInfo(info: StreamInfo, v: { minBlock: number; maxBlock: number; minFrame: number; maxFrame: number; total: number }): Buffer {
  const b = Buffer.alloc(34);
  b.writeUInt16BE(v.minBlock, 0);
  b.writeUInt16BE(v.maxBlock, 2);
  b.writeUIntBE(v.minFrame, 4, 3);
  b.writeUIntBE(v.maxFrame, 7, 3);
  const packed = (BigInt(info.sampleRate) << 44n) | (BigInt(info.channels - 1) << 41n) | (BigInt(info.bitsPerSample - 1) << 36n) | BigInt(v.total);
  b.writeBigUInt64BE(packed, 10);
  return b;
}
