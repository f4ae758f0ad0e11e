import { AudioError } from '../errors.js';
import { ByteQueue } from './byte-queue.js';
import { crc16, crc8, parseFlacFrameHeader, utf8Number } from './flac-frame.js';
import type { AudioJoiner, JoinEnd } from './joiner.js';

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
 */
export class FlacJoiner implements AudioJoiner {
  private readonly queue = new ByteQueue();
  private phase: 'magic' | 'metadata' | 'frames' = 'magic';
  private info: StreamInfo | undefined;
  private chunk = 1;
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
    this.queue.push(bytes);
    return this.drain(false);
  }

  endChunk(): Uint8Array[] {
    const out = this.drain(true);
    if (this.phase !== 'frames' || out.length === 0) throw new AudioError(`chunk ${this.chunk} holds no FLAC audio frames`);
    this.phase = 'magic';
    this.scanned = 0;
    this.queue.clear();
    this.chunk++;
    return out;
  }

  seconds(): number | undefined {
    return this.info ? this.samples / this.info.sampleRate : undefined;
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

  private drain(final: boolean): Uint8Array[] {
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
      const end = this.frameEnd(buf, final);
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
  private frameEnd(buf: Buffer, final: boolean): number | undefined {
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
    if (this.lastBlock > 0) this.minBlock = Math.min(this.minBlock, this.lastBlock);
    this.lastBlock = old.blockSize;
    this.maxBlock = Math.max(this.maxBlock, old.blockSize);
    this.minFrame = Math.min(this.minFrame, out.length);
    this.maxFrame = Math.max(this.maxFrame, out.length);
    this.samples += old.blockSize;
    return out;
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
      return;
    }
    if (first.sampleRate !== info.sampleRate || first.channels !== info.channels || first.bitsPerSample !== info.bitsPerSample) {
      throw new AudioError(
        `chunk ${this.chunk} is FLAC at ${info.sampleRate} Hz, ${info.channels} channel(s), ${info.bitsPerSample}-bit, but chunk 1 was ${first.sampleRate} Hz, ${first.channels} channel(s), ${first.bitsPerSample}-bit; they cannot be joined`,
      );
    }
  }
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
