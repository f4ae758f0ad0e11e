import { AudioError } from '../errors.js';
import { ByteQueue, id3v2Size } from './byte-queue.js';
import { JoinState, positionSeconds, type AudioJoiner, type AudioPosition, type JoinEnd, type Seekable } from './joiner.js';
import { isTagFrame, mp3HeaderBytes, parseMp3Header, xingOffset, type Mp3FrameHeader } from './mp3-frame.js';

const XING_FLAGS_FRAMES_AND_BYTES = 0x3;

/**
 * Joins MP3 chunks at frame level. Every chunk's tags (ID3v2, ID3v1, APE) and its Xing/Info/VBRI
 * frame are dropped — a kept Xing frame would make players report chunk 1's length — and every
 * audio frame is kept, since the next frame's bit reservoir may point back into it. On a file one
 * Info (constant bitrate) or Xing (variable) frame is written first and patched at the end with the
 * true frame and byte counts, so the stated duration is the audio's.
 *
 * Timeline: ffmpeg decodes every audio frame in full (the Info frame is not audio, and without a
 * LAME tag nothing is trimmed), so position() counts frames × 576 (MPEG-2/2.5) or 1152 samples.
 * A provider's chunk carries its encoder's priming: its audio starts ENCDELAY + 529 samples into
 * its span (1105 for LAME and ffmpeg), and its padding ends the span. mpg123 differs on a file: an
 * Info frame makes it skip the 529-sample decoder delay at the start, so for it everything is 529
 * samples earlier. Pauses are frames that decode to silence, in whole frames.
 */
export class Mp3Joiner implements AudioJoiner {
  private readonly queue = new ByteQueue();
  private first: Mp3FrameHeader | undefined;
  /** The first audio frame's header bytes, the model for silent frames. */
  private firstHeader: Buffer | undefined;
  private readonly state = new JoinState();
  private xingFrame: Buffer | undefined;
  private chunk = 1;
  private frames = 0;
  private framesBeforeChunk = 0;
  private bytes = 0;
  private readonly bitrates = new Set<number>();

  /** For audio encoded here: what the encoder added before and after the input. */
  private gaplessInfo: { delay: number; inputSamples: number } | undefined;

  private readonly seekable: boolean;

  /** `seekable`: the output is a file, so the Info frame can be written with the final counts. */
  constructor({ seekable }: Seekable) {
    this.seekable = seekable;
  }

  /**
   * Records the encoder's delay and the true input length, so the Info frame carries a LAME tag:
   * decoders then trim the encoder's priming and padding and give back exactly the input.
   */
  gapless(delay: number, inputSamples: number): void {
    this.gaplessInfo = { delay, inputSamples };
  }

  /** Audio samples joined so far (per channel). */
  samples = 0;

  push(bytes: Uint8Array): Uint8Array[] {
    this.state.pushing(this.first ? this.samples : undefined);
    this.queue.push(bytes);
    return this.drain({ final: false });
  }

  endChunk(): Uint8Array[] {
    const out = this.drain({ final: true });
    if (this.frames === this.framesBeforeChunk) throw new AudioError(`chunk ${this.chunk} holds no MP3 audio frames`);
    this.queue.clear();
    this.chunk++;
    this.state.ended();
    this.framesBeforeChunk = this.frames;
    return out;
  }

  /**
   * Whole frames of silence, each shaped like the stream's first audio frame (version, rate, channel
   * mode, bitrate, so a constant bitrate stays constant) with zeroed side info: no spectral data,
   * and main_data_begin 0, so no frame's bit reservoir reaches into them. Nearest whole frame: at
   * 24 kHz, 750 ms (18,000 samples) becomes 31 frames, 17,856 samples.
   */
  silence(ms: number): Uint8Array[] {
    this.state.pause(ms);
    if (!this.first) {
      this.state.pendingMs += ms;
      return [];
    }
    return this.silentFrames(ms);
  }

  private silentFrames(ms: number): Buffer[] {
    const header = Buffer.from(this.firstHeader!);
    header[1]! |= 0x01; // no CRC
    header[2]! &= ~0x02; // no padding slot
    header[3]! &= 0xcf; // no mode extension
    const shape = parseMp3Header(header)!;
    const frame = Buffer.alloc(shape.frameBytes);
    header.copy(frame);
    const count = Math.round((ms * shape.sampleRate) / 1000 / shape.samples);
    const out = Array.from({ length: count }, () => frame);
    this.frames += count;
    this.framesBeforeChunk = this.frames;
    this.bytes += count * frame.length;
    this.samples += count * shape.samples;
    this.bitrates.add(shape.bitrateKbps);
    return out;
  }

  position(): AudioPosition | undefined {
    return this.first && { samples: this.samples, sampleRate: this.first.sampleRate };
  }

  chunkStart(): AudioPosition | undefined {
    return this.state.chunkStart(this.first?.sampleRate);
  }

  seconds(): number | undefined {
    return positionSeconds(this.position());
  }

  finish(): JoinEnd {
    if (!this.xingFrame || !this.first) return { tail: [], patches: [] };
    const frame = Buffer.from(this.xingFrame);
    const at = xingOffset(this.first);
    frame.write(this.bitrates.size <= 1 ? 'Info' : 'Xing', at, 'latin1');
    frame.writeUInt32BE(XING_FLAGS_FRAMES_AND_BYTES, at + 4);
    frame.writeUInt32BE(this.frames, at + 8);
    frame.writeUInt32BE(this.bytes + frame.length, at + 12);
    if (this.gaplessInfo && frame.length >= at + 16 + LAME_TAG_BYTES) {
      const { delay, inputSamples } = this.gaplessInfo;
      const padding = Math.max(0, this.samples - delay - inputSamples);
      writeLameTag(frame, at + 16, { delay, padding: Math.min(padding, 0xfff), bitrateKbps: this.first.bitrateKbps, musicBytes: this.bytes + frame.length });
    }
    return { tail: [], patches: [{ offset: 0, bytes: frame }] };
  }

  private drain({ final }: { final: boolean }): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (;;) {
      const buf = this.queue.view();
      if (buf.length < 4) break;
      const tag = this.tagSize(buf, { final });
      if (tag === 'wait') break;
      if (tag !== undefined) {
        this.queue.skip(tag);
        continue;
      }
      const header = parseMp3Header(buf);
      if (!header) {
        this.resync(buf);
        continue;
      }
      const next = buf.length >= header.frameBytes + 4 ? header.frameBytes : undefined;
      if (next === undefined && !final) break;
      if (buf.length < header.frameBytes) break;
      // A frame is trusted only when what follows it is another frame of the stream, a tag, or the end.
      if (next !== undefined && !this.followsFrame(buf, next, header)) {
        this.resync(buf);
        continue;
      }
      const frame = this.queue.take(header.frameBytes);
      if (isTagFrame(frame, header)) continue;
      this.accept(header, frame, out);
      out.push(frame);
      this.frames++;
      this.bytes += frame.length;
      this.samples += header.samples;
      this.bitrates.add(header.bitrateKbps);
    }
    return out;
  }

  private accept(h: Mp3FrameHeader, frame: Buffer, out: Uint8Array[]): void {
    const f = this.first;
    if (f === undefined) {
      this.first = h;
      this.firstHeader = Buffer.from(frame.subarray(0, 4));
      if (this.seekable) this.xingFrame = placeholderFrame(h);
      if (this.xingFrame) out.push(this.xingFrame);
      out.push(...this.silentFrames(this.state.pendingMs));
      this.state.pendingMs = 0;
      this.state.known(this.samples);
      return;
    }
    if (f.sampleRate !== h.sampleRate || f.channels !== h.channels || f.version !== h.version || f.layer !== h.layer) {
      throw new AudioError(
        `chunk ${this.chunk} is MPEG-${h.version} layer ${h.layer} at ${h.sampleRate} Hz, ${h.channels} channel(s), but chunk 1 was MPEG-${f.version} layer ${f.layer} at ${f.sampleRate} Hz, ${f.channels} channel(s); they cannot be joined`,
        { hint: 'The server changed its output between requests; rerun, or choose --format wav.' },
      );
    }
  }

  private followsFrame(buf: Buffer, at: number, h: Mp3FrameHeader): boolean {
    const next = parseMp3Header(buf, at);
    if (next) return next.sampleRate === h.sampleRate && next.layer === h.layer;
    const marker = buf.toString('latin1', at, at + 3);
    return marker === 'TAG' || marker === 'ID3' || marker === 'APE';
  }

  /** Bytes to skip for a tag at the head of `buf`, 'wait' for more bytes, undefined for none. */
  private tagSize(buf: Buffer, { final }: { final: boolean }): number | 'wait' | undefined {
    const marker = buf.toString('latin1', 0, 3);
    if (marker === 'ID3') return buf.length < 10 ? (final ? buf.length : 'wait') : id3v2Size(buf);
    if (marker === 'TAG') return 128;
    if (buf.toString('latin1', 0, 8) === 'APETAGEX') {
      if (buf.length < 32) return final ? buf.length : 'wait';
      const isHeader = (buf.readUInt32LE(20) & (1 << 29)) !== 0;
      return isHeader ? buf.readUInt32LE(12) + 32 : 32;
    }
    if (buf.length < 8 && buf.toString('latin1', 0, buf.length) === 'APETAGEX'.slice(0, buf.length)) return final ? buf.length : 'wait';
    return undefined;
  }

  /** Drops bytes up to the next possible frame sync: garbage between frames is not audio. */
  private resync(buf: Buffer): void {
    const next = buf.indexOf(0xff, 1);
    this.queue.take(next === -1 ? buf.length : next);
  }
}

/** A silent frame shaped like the stream's first, to carry the Info/Xing counts; none if too small. */
function placeholderFrame(h: Mp3FrameHeader): Buffer | undefined {
  if (h.layer !== 3) return undefined;
  const header = { ...h, padding: false, crc: false };
  const size = parseMp3Header(Buffer.from(mp3HeaderBytes(header)))?.frameBytes ?? 0;
  if (size < xingOffset(header) + 16) return undefined;
  const frame = Buffer.alloc(size);
  frame.set(mp3HeaderBytes(header));
  return frame;
}

/** The LAME extension that follows the Info fields: 36 bytes, ending in its own CRC. */
const LAME_TAG_BYTES = 36;

/**
 * Writes a LAME tag at `at`: encoder version, CBR method, bitrate, and the 12-bit encoder delay and
 * padding that decoders (LAME's, mpg123, ffmpeg) trim for gapless output; its CRC-16 covers the
 * frame up to the CRC field.
 */
function writeLameTag(frame: Buffer, at: number, tag: { delay: number; padding: number; bitrateKbps: number; musicBytes: number }): void {
  frame.write('LAME3.100', at, 'latin1');
  frame[at + 9] = 0x01; // tag revision 0, constant bitrate
  frame[at + 20] = Math.min(255, tag.bitrateKbps);
  frame.writeUIntBE(((tag.delay & 0xfff) << 12) | (tag.padding & 0xfff), at + 21, 3);
  frame.writeUInt32BE(tag.musicBytes, at + 28);
  frame.writeUInt16BE(lameCrc16(frame, 0, at + 34), at + 34);
}

/** LAME's CRC-16 (polynomial 0x8005, bit-reflected, initial 0). */
function lameCrc16(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc ^= bytes[i]!;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}
