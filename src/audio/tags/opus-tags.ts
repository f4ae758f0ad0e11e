import { AudioError } from '../../errors.js';
import { ByteQueue } from '../byte-queue.js';
import type { Patch } from '../joiner.js';
import { completedPackets, NO_GRANULE, OGG_CONTINUED, oggPageLength, parseOggPage, writeOggPage, type OggPage } from '../ogg-page.js';
import type { BookTags, ChapterTimes } from './book-tags.js';
import { vorbisComment } from './vorbis-comment.js';

/** A page holds at most 255 lacing values of up to 255 bytes each. */
const MAX_SEGMENTS = 255;
const MAGIC = Buffer.from('OpusTags', 'latin1');

/** An OpusTags packet laid out over Ogg pages, with whole pages to rewrite once the times are known. */
export interface OggTagPages {
  /** The pages, back to back: write them right after the OpusHead page. */
  bytes: Buffer;
  pageCount: number;
  /** Whole pages (fresh CRCs) to write over `bytes`; offsets count from the first tags page. */
  patches(times: ChapterTimes): Patch[];
}

/**
 * The OpusTags packet (RFC 7845 §5.2) for a book: TITLE, ARTIST, ALBUM, TRACKNUMBER, chapters and
 * the cover as METADATA_BLOCK_PICTURE, laid out from page `sequence` of stream `serial` over as
 * many pages as it takes (a cover makes it hundreds of kB). Per RFC 7845 the packet starts a page
 * and finishes its last page; pages on which it does not end carry granule -1, the last one 0, as
 * libopusenc writes them.
 */
export function opusTagsPages(
  tags: BookTags,
  chapterTitles: readonly string[],
  stream: { serial: number; sequence: number; vendor: string },
): OggTagPages {
  const comment = vorbisComment(tags, chapterTitles, { vendor: stream.vendor, coverAsComment: true });
  const packet = Buffer.concat([MAGIC, comment.bytes]);
  const layout = layOutPacket(packet.length);
  const page = (p: Buffer, i: number) => {
    const { start, end, segments, last } = layout[i]!;
    return writeOggPage({
      flags: i === 0 ? 0 : OGG_CONTINUED,
      granule: last ? 0n : NO_GRANULE,
      serial: stream.serial,
      sequence: stream.sequence + i,
      segments,
      body: p.subarray(start, end),
    });
  };
  const pages = layout.map((_, i) => page(packet, i));
  const pageOffsets: number[] = [];
  pages.reduce((at, p) => (pageOffsets.push(at), at + p.length), 0);
  return {
    bytes: Buffer.concat(pages),
    pageCount: pages.length,
    patches(times) {
      const patched = Buffer.from(packet);
      const touched = new Set<number>();
      for (const p of comment.patches(times)) {
        const from = MAGIC.length + p.offset;
        patched.set(p.bytes, from);
        // A field may straddle two pages: rewrite every page it touches.
        layout.forEach((l, i) => {
          if (from < l.end && from + p.bytes.length > l.start) touched.add(i);
        });
      }
      return [...touched].sort((a, b) => a - b).map((i) => ({ offset: pageOffsets[i]!, bytes: page(patched, i) }));
    },
  };
}

interface PageSpan {
  start: number;
  end: number;
  segments: number[];
  /** The packet ends on this page. */
  last: boolean;
}

/**
 * Lacing for one packet alone on its pages: 255-byte segments, then one below 255 (0 when the
 * length is a multiple of 255) to end it; a page full of 255s continues on the next.
 */
function layOutPacket(length: number): PageSpan[] {
  const lacing: number[] = [];
  for (let left = length; ; left -= 255) {
    lacing.push(Math.min(left, 255));
    if (left < 255) break;
  }
  const spans: PageSpan[] = [];
  let start = 0;
  for (let i = 0; i < lacing.length; i += MAX_SEGMENTS) {
    const segments = lacing.slice(i, i + MAX_SEGMENTS);
    const end = start + segments.reduce((n, s) => n + s, 0);
    spans.push({ start, end, segments, last: i + MAX_SEGMENTS >= lacing.length });
    start = end;
  }
  return spans;
}

/**
 * Puts a book's OpusTags into an Ogg Opus stream as it passes (the joiner's output, which carries
 * chunk 1's OpusTags): the OpusHead page goes through, the old OpusTags pages are replaced by
 * `opusTagsPages` (keeping the encoder's vendor string), and every later page is renumbered, with a
 * fresh CRC, when the new tags take a different number of pages. Memory: one page at a time.
 */
export class OpusTagsSplice {
  private readonly queue = new ByteQueue();
  private state: 'head' | 'tags' | 'audio' = 'head';
  private serial = 0;
  private headSequence = 0;
  private readonly oldTags: OggPage[] = [];
  private delta = 0;
  private written = 0;
  private placed: { at: number; pages: OggTagPages } | undefined;

  constructor(
    private readonly tags: BookTags,
    private readonly chapterTitles: readonly string[],
  ) {}

  push(bytes: Uint8Array): Uint8Array[] {
    this.queue.push(bytes);
    const out: Uint8Array[] = [];
    for (;;) {
      const buf = this.queue.view();
      if (buf.length >= 4 && buf.toString('latin1', 0, 4) !== 'OggS') throw new AudioError('not an Ogg stream where a page should start');
      const length = oggPageLength(buf);
      if (length === undefined || buf.length < length) break;
      const raw = Buffer.from(this.queue.take(length));
      for (const page of this.page(raw)) {
        out.push(page);
        this.written += page.length;
      }
    }
    return out;
  }

  /** Whole pages to write over the tags once the chapter times are known; offsets from the stream's start. */
  finish(times: ChapterTimes): Patch[] {
    if (this.queue.length > 0) throw new AudioError('the Ogg stream ends inside a page');
    if (!this.placed) throw new AudioError('the Ogg stream ended before its OpusTags');
    const { at, pages } = this.placed;
    return pages.patches(times).map((p) => ({ offset: at + p.offset, bytes: p.bytes }));
  }

  private page(raw: Buffer): Buffer[] {
    if (this.state === 'audio') {
      if (this.delta === 0) return [raw];
      const page = parseOggPage(raw);
      return [writeOggPage({ ...page, sequence: page.sequence + this.delta })];
    }
    const page = parseOggPage(raw);
    if (this.state === 'head') {
      if (page.body.toString('latin1', 0, 8) !== 'OpusHead') throw new AudioError('the Ogg stream is not Opus (no OpusHead)');
      this.serial = page.serial;
      this.headSequence = page.sequence;
      this.state = 'tags';
      return [raw];
    }
    this.oldTags.push(page);
    if (completedPackets(page).length === 0) return [];
    return [this.replaceTags()];
  }

  private replaceTags(): Buffer {
    const body = Buffer.concat(this.oldTags.map((p) => p.body));
    if (!body.subarray(0, 8).equals(MAGIC)) throw new AudioError('the Ogg Opus stream has no OpusTags after its OpusHead');
    const last = this.oldTags.at(-1)!;
    const ended = completedPackets(last);
    if (ended.length !== 1 || ended[0]!.end !== last.body.length) throw new AudioError('the OpusTags packet does not finish its page, as RFC 7845 requires');
    const vendorLength = body.readUInt32LE(8);
    const vendor = body.toString('utf8', 12, 12 + vendorLength);
    const pages = opusTagsPages(this.tags, this.chapterTitles, { serial: this.serial, sequence: this.headSequence + 1, vendor });
    this.delta = pages.pageCount - this.oldTags.length;
    this.placed = { at: this.written, pages };
    this.state = 'audio';
    return pages.bytes;
  }
}
