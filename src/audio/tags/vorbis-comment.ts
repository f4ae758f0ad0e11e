import { AudioError } from '../../errors.js';
import type { Patch } from '../joiner.js';
import { albumOf, chapterMilliseconds, oneLine, type BookTags, type TagLayout } from './book-tags.js';
import type { CoverImage } from './cover-image.js';

/** CHAPTERxxx has three digits (the Chapter Extension numbers 000–999; we start at 001). */
export const MAX_VORBIS_CHAPTERS = 999;
/** `HH:MM:SS.mmm` has room for 99 hours. */
const MAX_MS = (100 * 3600 - 1) * 1000 + 999;
const PLACEHOLDER = '00:00:00.000';
const FRONT_COVER = 3;

export interface VorbisCommentOptions {
  /** The encoder library's name, as the stream's first comment (libopus's, libFLAC's…). */
  vendor: string;
  /** Ogg Opus carries the cover as METADATA_BLOCK_PICTURE; FLAC has its own PICTURE block. */
  coverAsComment: boolean;
}

/**
 * A Vorbis comment list (no framing bit: Opus and FLAC have none) with TITLE, ARTIST, ALBUM,
 * TRACKNUMBER/TRACKTOTAL and the Chapter Extension's `CHAPTER001=HH:MM:SS.mmm` and
 * `CHAPTER001NAME=…`. Numbered from 001 like the extension's own examples, so CHAPTER007 is the
 * seventh chapter; ffmpeg reads any three digits (its writer starts at 000). The times are a
 * fixed-width placeholder now, patched at the end. Values may hold `=` (only the first one splits a
 * comment); titles are made one line.
 */
export function vorbisComment(tags: BookTags, chapterTitles: readonly string[], options: VorbisCommentOptions): TagLayout {
  if (chapterTitles.length > MAX_VORBIS_CHAPTERS) {
    throw new AudioError(`${chapterTitles.length} chapters, but Vorbis comments number at most ${MAX_VORBIS_CHAPTERS}`, {
      hint: 'Choose .m4b or .mp3 for this book, or write one file per chapter.',
    });
  }
  const comments: string[] = [];
  const add = (key: string, value: string | undefined) => {
    if (value !== undefined && oneLine(value) !== '') comments.push(`${key}=${oneLine(value)}`);
  };
  add('TITLE', tags.title);
  add('ARTIST', tags.author);
  add('ALBUM', albumOf(tags));
  if (tags.track) {
    add('TRACKNUMBER', String(tags.track.number));
    if (tags.track.total !== undefined) add('TRACKTOTAL', String(tags.track.total));
  }
  const firstChapter = comments.length;
  chapterTitles.forEach((title, i) => {
    comments.push(`${chapterKey(i)}=${PLACEHOLDER}`);
    comments.push(`${chapterKey(i)}NAME=${oneLine(title)}`);
  });
  if (options.coverAsComment && tags.cover) comments.push(`METADATA_BLOCK_PICTURE=${flacPicture(tags.cover).toString('base64')}`);

  const parts: Buffer[] = [lengthPrefixed(Buffer.from(options.vendor, 'utf8')), u32le(comments.length)];
  const timeOffsets: number[] = [];
  let at = parts[0]!.length + 4;
  comments.forEach((comment, i) => {
    const bytes = lengthPrefixed(Buffer.from(comment, 'utf8'));
    const c = i - firstChapter;
    if (c >= 0 && c < chapterTitles.length * 2 && c % 2 === 0) timeOffsets.push(at + 4 + chapterKey(c / 2).length + 1);
    parts.push(bytes);
    at += bytes.length;
  });
  return {
    bytes: Buffer.concat(parts),
    patches(times): Patch[] {
      return chapterMilliseconds(times, chapterTitles.length).map(({ start }, i) => ({ offset: timeOffsets[i]!, bytes: Buffer.from(clock(start), 'latin1') }));
    },
  };
}

const chapterKey = (index: number): string => `CHAPTER${String(index + 1).padStart(3, '0')}`;

/** `HH:MM:SS.mmm`, always 12 characters, so it fits the placeholder. */
function clock(ms: number): string {
  if (ms > MAX_MS) throw new AudioError(`a chapter starts at ${(ms / 3_600_000).toFixed(1)} h, past the 99 h a Vorbis chapter time can say`);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}`;
}

/**
 * A FLAC PICTURE block's body (RFC 9639 §8.8): the same bytes FLAC stores as a metadata block and
 * Ogg streams store base64-encoded as METADATA_BLOCK_PICTURE.
 */
export function flacPicture(cover: CoverImage): Buffer {
  const mime = Buffer.from(cover.mime, 'latin1');
  const head = Buffer.alloc(8 + mime.length + 4 + 16 + 4);
  head.writeUInt32BE(FRONT_COVER, 0);
  head.writeUInt32BE(mime.length, 4);
  mime.copy(head, 8);
  let at = 8 + mime.length;
  head.writeUInt32BE(0, at); // no description
  head.writeUInt32BE(cover.width, at + 4);
  head.writeUInt32BE(cover.height, at + 8);
  head.writeUInt32BE(cover.depth, at + 12);
  head.writeUInt32BE(0, at + 16); // not an indexed-colour picture
  at += 20;
  head.writeUInt32BE(cover.data.length, at);
  return Buffer.concat([head, cover.data]);
}

function lengthPrefixed(bytes: Buffer): Buffer {
  return Buffer.concat([u32le(bytes.length), bytes]);
}

function u32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}
