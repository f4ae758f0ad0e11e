import { AudioError } from '../../errors.js';
import type { Patch } from '../joiner.js';
import type { CoverImage } from './cover-image.js';

/** What an audiobook file says about itself; every field may be missing. */
export interface BookTags {
  title?: string | undefined;
  author?: string | undefined;
  /** Defaults to the title: a book is its own album, and one file per chapter keeps it together. */
  album?: string | undefined;
  /** For one file per chapter: this file's number, and how many files there are. */
  track?: { number: number; total?: number | undefined } | undefined;
  cover?: CoverImage | undefined;
}

/**
 * Where the chapters landed, in seconds of the output as a player decodes it (the timeline's own
 * unit), known only once the audio is written.
 */
export interface ChapterTimes {
  /** One start per chapter, in order. */
  starts: readonly number[];
  /** The output's length: where the last chapter ends. */
  end: number;
}

/** A tag written before the audio, its chapter times filled in once they are known. */
export interface TagLayout {
  /** What to write first. */
  bytes: Uint8Array;
  /** What to write over `bytes` at the end; offsets count from the first byte of `bytes`. */
  patches(times: ChapterTimes): Patch[];
}

/** Patches made for bytes that were written `by` bytes further into the file (e.g. after a tag). */
export function shiftPatches(patches: readonly Patch[], by: number): Patch[] {
  return patches.map((p) => ({ offset: p.offset + by, bytes: p.bytes }));
}

export const albumOf = (tags: BookTags): string | undefined => tags.album ?? tags.title;

/** `3` or `3/12`, as ID3's TRCK and most players write a track number. */
export const trackText = (track: NonNullable<BookTags['track']>): string =>
  track.total === undefined ? String(track.number) : `${track.number}/${track.total}`;

/**
 * A title on one line: players show chapter titles on one line, and line-based tools (vorbiscomment
 * -l, metaflac --export-tags-to) would split one with a newline in two. Control characters go too:
 * a NUL would end an ID3 string early.
 */
export function oneLine(text: string): string {
  return text.replace(/[\p{Cc}\s]+/gu, ' ').trim();
}

/** Chapter i's start and end in whole milliseconds, after checking the times fit the titles. */
export function chapterMilliseconds(times: ChapterTimes, count: number): { start: number; end: number }[] {
  checkChapterTimes(times, count);
  const ms = times.starts.map((s) => Math.round(s * 1000));
  const end = Math.round(times.end * 1000);
  return ms.map((start, i) => ({ start, end: ms[i + 1] ?? end }));
}

export function checkChapterTimes(times: ChapterTimes, count: number): void {
  if (times.starts.length !== count) {
    throw new AudioError(`${times.starts.length} chapter start(s) given for ${count} chapter title(s)`);
  }
  let previous = 0;
  for (const start of [...times.starts, times.end]) {
    if (!Number.isFinite(start) || start < previous) {
      throw new AudioError(`chapter times must rise from 0 to the end of the audio, not ${times.starts.join(', ')} ending at ${times.end}`);
    }
    previous = start;
  }
}
