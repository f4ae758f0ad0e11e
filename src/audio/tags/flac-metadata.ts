import { AudioError } from '../../errors.js';
import { ByteQueue } from '../byte-queue.js';
import type { Patch } from '../joiner.js';
import { shiftPatches, type BookTags, type ChapterTimes, type TagLayout } from './book-tags.js';
import { flacPicture, vorbisComment } from './vorbis-comment.js';

const STREAMINFO = 0;
const PADDING = 1;
const VORBIS_COMMENT = 4;
const PICTURE = 6;
const LAST = 0x80;
/** A metadata block's length is 24 bits. */
const MAX_BLOCK = (1 << 24) - 1;

/**
 * FLAC metadata blocks for a book: VORBIS_COMMENT (the same comments and chapters as Ogg Opus) and,
 * with a cover, PICTURE; the last one carries the last-metadata-block flag, so whatever block
 * precedes them (STREAMINFO) must have it cleared. Chapter times are patched in place.
 */
export function flacMetadata(tags: BookTags, chapterTitles: readonly string[], options: { vendor: string }): TagLayout {
  const comment = vorbisComment(tags, chapterTitles, { vendor: options.vendor, coverAsComment: false });
  const blocks = [{ type: VORBIS_COMMENT, body: comment.bytes }];
  if (tags.cover) blocks.push({ type: PICTURE, body: flacPicture(tags.cover) });
  return {
    bytes: Buffer.concat(blocks.map((b, i) => block(b.type, b.body, { last: i === blocks.length - 1 }))),
    patches: (times) => shiftPatches(comment.patches(times), 4),
  };
}

function block(type: number, body: Uint8Array, options: { last: boolean }): Buffer {
  if (body.length > MAX_BLOCK) throw new AudioError(`a FLAC ${type === PICTURE ? 'picture' : 'comment'} block would be ${body.length} bytes, more than FLAC allows`, { hint: 'Use a smaller cover.' });
  const header = Buffer.from([(options.last ? LAST : 0) | type, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]);
  return Buffer.concat([header, body]);
}

/**
 * Puts a book's tags into a FLAC stream as it passes (the joiner's output): `fLaC` and STREAMINFO
 * stay where they are (the joiner patches STREAMINFO at offset 8), the stream's own comments,
 * pictures and padding are dropped, other blocks are kept, and `flacMetadata` follows them as the
 * last blocks, keeping the encoder's vendor string when the stream has one.
 */
export class FlacMetadataSplice {
  private readonly queue = new ByteQueue();
  private state: 'magic' | 'blocks' | 'frames' = 'magic';
  private vendor: string;
  private readonly head: Buffer[] = [];
  private placed: { at: number; layout: TagLayout } | undefined;

  constructor(
    private readonly tags: BookTags,
    private readonly chapterTitles: readonly string[],
    options: { vendor: string },
  ) {
    this.vendor = options.vendor;
  }

  push(bytes: Uint8Array): Uint8Array[] {
    if (this.state === 'frames') return [bytes];
    this.queue.push(bytes);
    const out: Uint8Array[] = [];
    for (;;) {
      const buf = this.queue.view();
      if (this.placed) {
        if (buf.length > 0) out.push(Buffer.from(this.queue.take(buf.length)));
        return out;
      }
      if (buf.length < 4) return out;
      if (this.state === 'magic') {
        if (buf.toString('latin1', 0, 4) !== 'fLaC') throw new AudioError('not a FLAC stream (no fLaC marker)');
        this.head.push(Buffer.from(this.queue.take(4)));
        this.state = 'blocks';
        continue;
      }
      const length = buf.readUIntBE(1, 3);
      if (buf.length < 4 + length) return out;
      out.push(...this.block(Buffer.from(this.queue.take(4 + length))));
    }
  }

  /** Patches for the chapter times; offsets from the stream's start. */
  finish(times: ChapterTimes): Patch[] {
    if (!this.placed) throw new AudioError('the FLAC stream ended inside its metadata');
    return shiftPatches(this.placed.layout.patches(times), this.placed.at);
  }

  /** Keeps or drops one metadata block; after the last one, returns the head and the book's blocks. */
  private block(raw: Buffer): Buffer[] {
    const type = raw[0]! & 0x7f;
    if (this.head.length === 1 && type !== STREAMINFO) throw new AudioError('the FLAC stream does not start with STREAMINFO');
    if (type === VORBIS_COMMENT && raw.length >= 8) this.vendor = raw.toString('utf8', 8, 8 + raw.readUInt32LE(4));
    const last = (raw[0]! & LAST) !== 0;
    if (type !== VORBIS_COMMENT && type !== PICTURE && type !== PADDING) {
      raw[0] = type;
      this.head.push(raw);
    }
    if (!last) return [];
    const layout = flacMetadata(this.tags, this.chapterTitles, { vendor: this.vendor });
    const head = Buffer.concat(this.head);
    this.placed = { at: head.length, layout };
    this.head.length = 0;
    this.state = 'frames';
    return [head, Buffer.from(layout.bytes)];
  }
}
