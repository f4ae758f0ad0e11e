import { AudioError } from '../errors.js';
import { ByteQueue } from './byte-queue.js';
import { JoinState, positionSeconds, silenceSamples, type AudioJoiner, type AudioPosition, type JoinEnd } from './joiner.js';
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

/** The shortest Opus frame (2.5 ms at 48 kHz): silence made here is a whole number of them. */
const SILENCE_GRAIN = 120;
/** CELT-only fullband configurations (RFC 6716 table 2) by frame length, longest first. */
const CELT_CONFIGS: readonly [samples: number, config: number][] = [
  [960, 31],
  [480, 30],
  [240, 29],
  [120, 28],
];
/** libopus's lookahead (6.5 ms): the least pre-skip that readers find plausible (opusinfo warns below it). */
const MIN_PRE_SKIP = 312;
/** Silence packets per Ogg page: one second, so a long pause streams steadily. */
const SILENCE_PACKETS_PER_PAGE = 50;

/**
 * A packet of digital silence: what libopus itself encodes for a frame of zeros (a CELT frame whose
 * range-coded payload FF FE sets the silence flag), so decoders output zeros. Not a zero-length DTX
 * packet, which decoders would conceal as lost audio.
 */
export function opusSilencePacket(samples: number, channels: number): Buffer {
  const config = CELT_CONFIGS.find(([n]) => n === samples)?.[1];
  if (config === undefined) throw new Error(`no Opus frame lasts ${samples} samples`);
  return Buffer.from([(config << 3) | (channels === 2 ? 0x04 : 0), 0xff, 0xfe]);
}

/**
 * The head of a packet left open at the end of `page` (its last lacing value is 255), which the next
 * page completes: the TOC that says its length is on this page. `lastEnd` is where the page's last
 * completed packet ends; `carried`, a packet still open from the page before.
 */
function openPacketHead(page: OggPage, lastEnd: number | undefined, carried: Buffer | undefined): Buffer | undefined {
  if (page.segments.at(-1) !== 255) return undefined;
  if (lastEnd === undefined && carried) return carried;
  return Buffer.from(page.body.subarray(lastEnd ?? 0, (lastEnd ?? 0) + 2));
}

/**
 * Joins Ogg Opus chunks into one logical stream: chunk 1's OpusHead and OpusTags and serial number,
 * every later chunk's header packets dropped, pages renumbered, each page's granule set to the running
 * sample count (from each packet's TOC), BOS on the first page and EOS on the last only, CRCs
 * recomputed. Chained streams would make common players stop after chunk 1.
 *
 * Timeline (Opus decodes at 48 kHz): one stream has one pre-skip and one end trim. The pre-skip
 * trims chunk 1's priming (or, after a leading pause, part of the pause); every later chunk's
 * pre-skip (312 samples from libopus) is decoded as audio, so its audio starts that far into its
 * span. A chunk's end trim (its padding to a whole packet) cannot be expressed mid-stream, and the
 * last chunk's is kept too: trimming it at finish would end that chunk earlier than position() said
 * after its endChunk(). So position() is the running packet count minus the pre-skip, always.
 */
export class OpusJoiner implements AudioJoiner {
  private readonly queue = new ByteQueue();
  private serial: number | undefined;
  private channels: number | undefined;
  private mappingFamily = 0;
  private preSkip = 0;
  private sequence = 0;
  /** Samples (48 kHz) in every packet written so far, the pre-skip included. */
  private granule = 0;
  /** Header packets of the current chunk still to pass (OpusHead, OpusTags). */
  private headerPackets = 2;
  private chunk = 1;
  /** The first bytes (TOC and frame count) of a packet that continues on the next page. */
  private open: Buffer | undefined;
  /** The newest audio page, held back until we know whether it is the last. */
  private held: OggPage | undefined;
  private readonly state = new JoinState();
  /** Samples of silence packets for a leading pause, made once chunk 1's headers are through. */
  private leading = 0;

  push(bytes: Uint8Array): Uint8Array[] {
    this.state.pushing(this.streaming() ? this.decoded() : undefined);
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

  endChunk(): Uint8Array[] {
    if (this.queue.length > 0) throw new AudioError(`chunk ${this.chunk} ends inside an Ogg page`);
    if (this.headerPackets > 0) throw new AudioError(`chunk ${this.chunk} has no Opus audio`);
    this.headerPackets = 2;
    this.open = undefined;
    this.chunk++;
    this.state.ended();
    return [];
  }

  /**
   * Silence packets in the same logical stream, to the nearest 2.5 ms (750 ms is 300 × 2.5 ms:
   * exact). A leading pause is exact to the sample: its packets are rounded up and the stream's
   * pre-skip trims the excess.
   */
  silence(ms: number): Uint8Array[] {
    this.state.pause(ms);
    if (this.serial === undefined) {
      this.state.pendingMs += ms;
      return [];
    }
    const grains = Math.round(silenceSamples(ms, 48_000) / SILENCE_GRAIN);
    return this.silencePages(grains * SILENCE_GRAIN);
  }

  finish(): JoinEnd {
    const tail: Uint8Array[] = [];
    if (this.held) {
      tail.push(this.emit({ ...this.held, flags: this.held.flags | OGG_EOS }));
      this.held = undefined;
    }
    return { tail, patches: [] };
  }

  position(): AudioPosition | undefined {
    return this.serial === undefined ? undefined : { samples: this.decoded(), sampleRate: 48_000 };
  }

  chunkStart(): AudioPosition | undefined {
    return this.state.chunkStart(this.serial === undefined ? undefined : 48_000);
  }

  seconds(): number | undefined {
    return positionSeconds(this.position());
  }

  /** Chunk 1's headers are through (and any leading pause made): audio and pauses can follow. */
  private streaming(): boolean {
    return this.serial !== undefined && (this.chunk > 1 || this.headerPackets === 0);
  }

  private decoded(): number {
    return Math.max(0, this.granule - this.preSkip);
  }

  private page(page: OggPage, out: Uint8Array[]): void {
    if (this.headerPackets > 0) {
      this.headerPage(page, out);
      if (this.headerPackets === 0 && this.leading > 0) {
        out.push(...this.silencePages(this.leading));
        this.leading = 0;
      }
      if (this.headerPackets === 0) this.state.known(this.decoded());
      return;
    }
    const packets = completedPackets(page);
    for (const p of packets) this.granule += opusPacketSamples(p.start === 0 && this.open ? this.open : page.body.subarray(p.start, p.end));
    this.open = openPacketHead(page, packets.at(-1)?.end, this.open);
    const granule = packets.length > 0 ? BigInt(this.granule) : NO_GRANULE;
    this.hold({ ...page, granule, flags: page.flags & OGG_CONTINUED }, out);
  }

  /** Writes the page held so far, and holds `page`: the last one written gets EOS at finish(). */
  private hold(page: OggPage, out: Uint8Array[]): void {
    if (this.held) out.push(this.emit(this.held));
    this.held = page;
  }

  private headerPage(page: OggPage, out: Uint8Array[]): void {
    const packets = completedPackets(page);
    if (this.headerPackets === 2) {
      if (page.body.toString('latin1', 0, 8) !== 'OpusHead') throw new AudioError(`chunk ${this.chunk} is not Ogg Opus (no OpusHead)`);
      const channels = page.body[9]!;
      if (this.channels !== undefined && channels !== this.channels) {
        throw new AudioError(`chunk ${this.chunk} has ${channels} channel(s) but chunk 1 had ${this.channels}; they cannot be joined`);
      }
    }
    this.headerPackets -= packets.length;
    if (this.chunk > 1) return;
    let body = page.body;
    if (this.serial === undefined) {
      this.serial = page.serial;
      this.channels = page.body[9]!;
      this.mappingFamily = page.body[18] ?? 0;
      this.preSkip = page.body.readUInt16LE(10);
      body = this.leadingPause(page.body);
    }
    out.push(this.emit({ ...page, body, granule: 0n, flags: page.flags & (OGG_BOS | OGG_CONTINUED) }));
  }

  /**
   * A pause before chunk 1 comes first in the stream, so the pre-skip would trim it rather than
   * chunk 1's priming: its packets are made at least 6.5 ms longer, rounded up to whole 2.5 ms, and
   * the pre-skip set to the excess, which makes the pause exact. Chunk 1's priming then stays in, as
   * every later chunk's does.
   */
  private leadingPause(head: Buffer): Buffer {
    const decoded = silenceSamples(this.state.pendingMs, 48_000);
    this.state.pendingMs = 0;
    if (decoded === 0) return head;
    this.leading = Math.ceil((decoded + MIN_PRE_SKIP) / SILENCE_GRAIN) * SILENCE_GRAIN;
    this.preSkip = this.leading - decoded;
    const copy = Buffer.from(head);
    copy.writeUInt16LE(this.preSkip, 10);
    return copy;
  }

  /** `samples` (a multiple of 2.5 ms) of silence packets, on pages of their own. */
  private silencePages(samples: number): Uint8Array[] {
    if (this.mappingFamily !== 0) throw new AudioError(`chunk ${this.chunk}: Opus with ${this.channels} channels (multistream) cannot have silence made here`);
    const packets: Buffer[] = [];
    let left = samples;
    for (const [length] of CELT_CONFIGS) {
      for (; left >= length; left -= length) packets.push(opusSilencePacket(length, this.channels!));
    }
    const out: Uint8Array[] = [];
    for (let at = 0; at < packets.length; at += SILENCE_PACKETS_PER_PAGE) {
      const body = packets.slice(at, at + SILENCE_PACKETS_PER_PAGE);
      for (const p of body) this.granule += opusPacketSamples(p);
      const segments = body.map((p) => p.length);
      this.hold({ flags: 0, granule: BigInt(this.granule), serial: this.serial!, sequence: 0, segments, body: Buffer.concat(body) }, out);
    }
    return out;
  }

  private emit(page: OggPage): Buffer {
    return writeOggPage({ ...page, serial: this.serial!, sequence: this.sequence++ });
  }
}
