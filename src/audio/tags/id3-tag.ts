import { AudioError } from '../../errors.js';
import type { Patch } from '../joiner.js';
import { albumOf, chapterMilliseconds, oneLine, trackText, type BookTags, type TagLayout } from './book-tags.js';

/** ID3v2's CTOC counts its entries in one byte. */
const MAX_TOC_ENTRIES = 255;
/** The tag's size field is 28 bits (syncsafe). */
const MAX_TAG_BYTES = (1 << 28) - 1;
const UNUSED_OFFSET = 0xffffffff;
const FRONT_COVER = 3;

/**
 * An ID3v2.3 tag for the start of an mp3: TIT2, TPE1, TALB, TRCK, a table of contents (CTOC) and
 * one CHAP per chapter (ID3v2 Chapter Frame Addendum), then APIC. v2.3 rather than v2.4 because it
 * is the version every player reads (Windows and older Apple software ignore v2.4, podcast apps
 * are tested against v2.3), and the chapter frames mean the same in both. Text is ASCII where it
 * can be, else UTF-16 with a BOM, the only Unicode v2.3 has.
 *
 * Chapter times are 32-bit milliseconds at fixed places, written as 0 now and patched at the end;
 * the tag goes before the joiner's Info frame, whose patches move by `bytes.length`.
 */
export function id3Tag(tags: BookTags, chapterTitles: readonly string[]): TagLayout {
  const frames: Buffer[] = [];
  const text = (id: string, value: string | undefined) => {
    if (value !== undefined && oneLine(value) !== '') frames.push(textFrame(id, oneLine(value)));
  };
  text('TIT2', tags.title);
  text('TPE1', tags.author);
  text('TALB', albumOf(tags));
  if (tags.track) frames.push(textFrame('TRCK', trackText(tags.track)));
  if (chapterTitles.length > 0) frames.push(...tableOfContents(chapterTitles.length, tags.title));
  const chapters = chapterTitles.map((title, i) => chapterFrame(i, title));
  const firstChapterAt = 10 + frames.reduce((n, f) => n + f.length, 0);
  frames.push(...chapters);
  if (tags.cover) frames.push(pictureFrame(tags.cover.mime, tags.cover.data));

  // ID3v2 wants at least one frame: with nothing to say, write no tag.
  if (frames.length === 0) return { bytes: new Uint8Array(0), patches: () => [] };
  const body = Buffer.concat(frames);
  if (body.length > MAX_TAG_BYTES) throw new AudioError(`the ID3 tag would be ${body.length} bytes, more than ID3v2 allows`, { hint: 'Use a smaller cover.' });
  const header = Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, ...syncsafe(body.length)]);
  const bytes = Buffer.concat([header, body]);

  // Each CHAP's start time sits 10 (frame header) + its element id's length past the frame's start.
  const timeOffsets: number[] = [];
  let at = firstChapterAt;
  for (const [i, frame] of chapters.entries()) {
    timeOffsets.push(at + 10 + elementId('ch', i + 1).length);
    at += frame.length;
  }
  return {
    bytes,
    patches(times): Patch[] {
      return chapterMilliseconds(times, chapterTitles.length).map(({ start, end }, i) => {
        const field = Buffer.alloc(8);
        field.writeUInt32BE(Math.min(start, UNUSED_OFFSET - 1), 0);
        field.writeUInt32BE(Math.min(end, UNUSED_OFFSET - 1), 4);
        return { offset: timeOffsets[i]!, bytes: field };
      });
    },
  };
}

/** One top-level, ordered CTOC; past 255 chapters it lists child CTOCs of up to 255 each. */
function tableOfContents(count: number, title: string | undefined): Buffer[] {
  const ids = Array.from({ length: count }, (_, i) => elementId('ch', i + 1));
  const titleFrame = title !== undefined && oneLine(title) !== '' ? [textFrame('TIT2', oneLine(title))] : [];
  if (count <= MAX_TOC_ENTRIES) return [tocFrame(elementId('toc', 0), { topLevel: true }, ids, titleFrame)];
  const groups: Buffer[][] = [];
  for (let i = 0; i < ids.length; i += MAX_TOC_ENTRIES) groups.push(ids.slice(i, i + MAX_TOC_ENTRIES));
  const childIds = groups.map((_, g) => elementId('toc', g + 1));
  return [
    tocFrame(elementId('toc', 0), { topLevel: true }, childIds, titleFrame),
    ...groups.map((group, g) => tocFrame(childIds[g]!, { topLevel: false }, group, [])),
  ];
}

function tocFrame(id: Buffer, options: { topLevel: boolean }, children: Buffer[], embedded: Buffer[]): Buffer {
  const flags = (options.topLevel ? 0x02 : 0) | 0x01; // 0x01: the children are in order
  return frame('CTOC', Buffer.concat([id, Buffer.from([flags, children.length]), ...children, ...embedded]));
}

function chapterFrame(index: number, title: string): Buffer {
  const times = Buffer.alloc(16);
  times.writeUInt32BE(UNUSED_OFFSET, 8);
  times.writeUInt32BE(UNUSED_OFFSET, 12);
  return frame('CHAP', Buffer.concat([elementId('ch', index + 1), times, textFrame('TIT2', oneLine(title))]));
}

function pictureFrame(mime: string, data: Uint8Array): Buffer {
  // Latin-1 with an empty description: the picture needs no Unicode.
  return frame('APIC', Buffer.concat([Buffer.from([0]), Buffer.from(`${mime}\0`, 'latin1'), Buffer.from([FRONT_COVER, 0]), data]));
}

function textFrame(id: string, value: string): Buffer {
  if (/^[\x20-\x7e]*$/.test(value)) return frame(id, Buffer.concat([Buffer.from([0]), Buffer.from(value, 'latin1')]));
  return frame(id, Buffer.concat([Buffer.from([1, 0xff, 0xfe]), Buffer.from(value, 'utf16le')]));
}

/** A v2.3 frame: id, a plain 32-bit size (v2.4 would make it syncsafe), no flags. */
function frame(id: string, body: Buffer): Buffer {
  const header = Buffer.alloc(10);
  header.write(id, 0, 'latin1');
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

const elementId = (prefix: string, n: number): Buffer => Buffer.from(`${prefix}${n}\0`, 'latin1');

function syncsafe(n: number): number[] {
  return [(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f];
}
