import { AudioError } from '../errors.js';
import { ByteQueue } from './byte-queue.js';
import type { AudioJoiner, JoinEnd } from './joiner.js';
import { completedPackets, NO_GRANULE, OGG_BOS, OGG_CONTINUED, OGG_EOS, oggPageLength, parseOggPage, writeOggPage, type OggPage } from './ogg-page.js';

/** Samples at 48 kHz in one Opus packet, from its TOC byte (RFC 6716 §3.1). */
export function opusPacketSamples(packet: Buffer): number {
  if (packet.length === 0) return 0;
  const toc = packet[0]!;
  const config = toc >> 3;
  const frameMs =
    config < 12 ? [10, 20, 40, 60][config % 4]!
    : config < 16 ? [10, 20][config % 2]!
    : [2.5, 5, 10, 20][config % 4]!;
  const code = toc & 3;
  const frames = code === 0 ? 1 : code === 3 ? (packet[1] ?? 0) & 0x3f : 2;
  return frames * frameMs * 48;
}

/**
 * Joins Ogg Opus chunks into one logical stream: chunk 1's OpusHead and OpusTags and serial number,
 * every later chunk's header packets dropped, pages renumbered, each page's granule set to the running
 * sample count (from each packet's TOC), BOS on the first page and EOS on the last only, CRCs
 * recomputed. Chained streams would make common players stop after chunk 1.
 */
export class OpusJoiner implements AudioJoiner {
  private readonly queue = new ByteQueue();
  private serial: number | undefined;
  private channels: number | undefined;
  private preSkip = 0;
  private sequence = 0;
  /** Samples (48 kHz) in every packet written so far, chunk 1's pre-skip included. */
  private granule = 0n;
  /** Header packets of the current chunk still to pass (OpusHead, OpusTags). */
  private headerPackets = 2;
  private chunk = 1;
  /** Samples in the current chunk, and its last page's granule, to keep the final chunk's end trim. */
  private chunkSamples = 0n;
  private chunkLastGranule = 0n;
  /** The newest audio page, held back until we know whether it is the last. */
  private held: OggPage | undefined;

  push(bytes: Uint8Array): Uint8Array[] {
    this.queue.push(bytes);
    const out: Uint8Array[] = [];
    for (;;) {
      const buf = this.queue.view();
      if (buf.length === 0) break;
      if (buf.length >= 4 && buf.toString('latin1', 0, 4) !== 'OggS') {
        throw new AudioError(`chunk ${this.chunk} is not an Ogg stream where a page should start`);
      }
      const length = oggPageLength(buf);
      if (length === undefined || buf.length < length) break;
      this.page(parseOggPage(Buffer.from(this.queue.take(length))), out);
    }
    return out;
  }

  seconds(): number | undefined {
    return this.serial === undefined ? undefined : Math.max(0, Number(this.granule) - this.preSkip) / 48_000;
  }

  endChunk(): Uint8Array[] {
    if (this.queue.length > 0) throw new AudioError(`chunk ${this.chunk} ends inside an Ogg page`);
    if (this.headerPackets > 0) throw new AudioError(`chunk ${this.chunk} has no Opus audio`);
    this.headerPackets = 2;
    this.chunk++;
    return [];
  }

  finish(): JoinEnd {
    const tail: Uint8Array[] = [];
    if (this.held) {
      // Keep the last chunk's end trim: its final granule says how much of its last packet is padding.
      const trim = this.chunkSamples - this.chunkLastGranule;
      const end = trim > 0n && this.held.granule !== NO_GRANULE ? this.held.granule - trim : this.held.granule;
      tail.push(this.emit({ ...this.held, granule: end, flags: this.held.flags | OGG_EOS }));
      this.held = undefined;
    }
    return { tail, patches: [] };
  }

  private page(page: OggPage, out: Uint8Array[]): void {
    if (this.headerPackets > 0) {
      this.headerPage(page, out);
      return;
    }
    let samples = 0;
    for (const p of completedPackets(page)) samples += opusPacketSamples(page.body.subarray(p.start, p.end));
    this.granule += BigInt(samples);
    this.chunkSamples += BigInt(samples);
    if (page.granule !== NO_GRANULE) this.chunkLastGranule = page.granule;
    const granule = completedPackets(page).length > 0 ? this.granule : NO_GRANULE;
    if (this.held) out.push(this.emit(this.held));
    this.held = { ...page, granule, flags: page.flags & OGG_CONTINUED };
  }

  private headerPage(page: OggPage, out: Uint8Array[]): void {
    const packets = completedPackets(page);
    if (this.headerPackets === 2) {
      if (page.body.toString('latin1', 0, 8) !== 'OpusHead') throw new AudioError(`chunk ${this.chunk} is not Ogg Opus (no OpusHead)`);
      const channels = page.body[9]!;
      if (this.channels !== undefined && channels !== this.channels) {
        throw new AudioError(`chunk ${this.chunk} has ${channels} channel(s) but chunk 1 had ${this.channels}; they cannot be joined`);
      }
      this.chunkSamples = 0n;
      this.chunkLastGranule = 0n;
    }
    this.headerPackets -= packets.length;
    if (this.chunk > 1) return;
    if (this.serial === undefined) {
      this.serial = page.serial;
      this.channels = page.body[9]!;
      this.preSkip = page.body.readUInt16LE(10);
    }
    out.push(this.emit({ ...page, granule: 0n, flags: page.flags & (OGG_BOS | OGG_CONTINUED) }));
  }

  private emit(page: OggPage): Buffer {
    return writeOggPage({ ...page, serial: this.serial!, sequence: this.sequence++ });
  }
}
