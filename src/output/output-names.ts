import { basename, extname } from 'node:path';

/** Characters no file system of Windows, macOS or Linux takes in a name, and control characters. */
const UNSAFE = /[<>:"/\\|?*\p{Cc}]/gu;
/** Long enough to tell chapters apart, short enough for any path limit with a folder in front. */
const MAX_TITLE = 80;

/** A title as a file name's part: unsafe characters gone, spaces collapsed, no trailing dot or space. */
export function safeName(title: string): string {
  const clean = title.normalize('NFC').replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim();
  const cut = [...clean].slice(0, MAX_TITLE).join('');
  return cut.replace(/[. ]+$/, '');
}

/**
 * `NN Title.ext`: numbered so that files sort in reading order everywhere (at least two digits, more
 * when the book has 100 chapters or more), named so that a listing reads like a table of contents.
 */
export function chapterFileName(part: { number: number; title: string }, options: { total: number; extension: string }): string {
  const width = Math.max(2, String(options.total).length);
  const title = safeName(part.title);
  const number = String(part.number).padStart(width, '0');
  return `${title === '' ? number : `${number} ${title}`}.${options.extension}`;
}

/** One input's output in a folder: its own name, with the audio format's extension. */
export function inputFileName(input: string, extension: string): string {
  const name = safeName(basename(input, extname(input)));
  return `${name === '' ? 'speech' : name}.${extension}`;
}
