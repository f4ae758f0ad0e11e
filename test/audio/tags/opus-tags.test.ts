import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createJoiner } from '../../../src/audio/format-plan.js';
import { oggCrc, oggPageLength, parseOggPage, type OggPage } from '../../../src/audio/ogg-page.js';
import type { BookTags } from '../../../src/audio/tags/book-tags.js';
import type { CoverImage } from '../../../src/audio/tags/cover-image.js';
import { opusTagsPages, OpusTagsSplice } from '../../../src/audio/tags/opus-tags.js';
import { decode, encodeTone, requireTool, run } from '../../helpers/audio-tools.js';
import { applyPatches, evenChapters, makeCovers, ODD_TITLES, ODD_TITLES_READ, probeBook } from './book-files.js';

let dir: string;
let covers: { jpeg: CoverImage; png: CoverImage };
let chunks: Buffer[];
beforeAll(() => {
  requireTool('ffmpeg');
  dir = mkdtempSync(join(tmpdir(), 'tts-opustags-'));
  covers = makeCovers(dir, 300);
  chunks = [encodeTone(dir, 'opus', 1.3, 300), encodeTone(dir, 'opus', 2.1, 440), encodeTone(dir, 'opus', 0.7, 660)];
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pages(file: Buffer): OggPage[] {
  const out: OggPage[] = [];
  for (let at = 0; at < file.length; ) {
    const length = oggPageLength(file.subarray(at))!;
    const page = file.subarray(at, at + length);
    expect(oggCrc(page)).toBe(page.readUInt32LE(22));
    out.push(parseOggPage(page));
    at += length;
  }
  return out;
}

/** The OpusTags pages: after OpusHead, up to the first page whose granule is 0 (where the packet ends). */
function tagPagesOf(all: OggPage[]): OggPage[] {
  return all.slice(1, 2 + all.slice(1).findIndex((p) => p.granule === 0n));
}

/** As the pipeline writes an Ogg Opus book: the joiner's pages through the splice, the chapter pages patched at the end. */
async function opusBook(name: string, tags: BookTags, titles: string[], starts?: number[]) {
  const joiner = await createJoiner({ output: 'opus', wire: 'opus' }, { seekable: true });
  const splice = new OpusTagsSplice(tags, titles);
  const out: Uint8Array[] = [];
  const chunkStarts: number[] = [];
  for (const chunk of chunks) {
    chunkStarts.push(joiner.seconds() ?? 0);
    for (const bytes of [...joiner.push(chunk), ...joiner.endChunk()]) out.push(...splice.push(bytes));
  }
  for (const bytes of joiner.finish().tail) out.push(...splice.push(bytes));
  const seconds = joiner.seconds()!;
  const times = { starts: starts ?? chunkStarts.slice(0, titles.length), end: seconds };
  const file = applyPatches(Buffer.concat(out), splice.finish(times));
  const path = join(dir, `${name}.opus`);
  writeFileSync(path, file);
  return { path, file, times, seconds };
}

function opusinfoClean(path: string): string {
  const info = run('opusinfo', [path]);
  expect(info.status).toBe(0);
  expect(info.output).not.toMatch(/WARNING|ERROR|hole/i);
  expect(info.output.match(/New logical stream/g)).toHaveLength(1);
  return info.output;
}

describe('OpusTags with chapters and a cover in a joined Ogg Opus stream', () => {
  test('ffprobe and opusinfo read the tags, the cover and each chapter to the millisecond', async () => {
    const tags = { title: 'My Book', author: 'Jane Doe', track: { number: 3, total: 12 }, cover: covers.jpeg };
    const book = await opusBook('full', tags, ['Opening', 'Middle', 'End']);
    const probed = probeBook(book.path);
    expect(probed.tags).toMatchObject({ title: 'My Book', artist: 'Jane Doe', album: 'My Book', track: '3', tracktotal: '12' });
    expect(probed.pictures).toEqual([{ codec: 'mjpeg', width: covers.jpeg.width, height: covers.jpeg.height }]);
    expect(probed.chapters.map((c) => c.title)).toEqual(['Opening', 'Middle', 'End']);
    const ms = (s: number) => Math.round(s * 1000) / 1000;
    expect(probed.chapters.map((c) => c.start)).toEqual(book.times.starts.map(ms));
    const info = opusinfoClean(book.path);
    expect(info).toContain(`CHAPTER002=00:00:0${(Math.round(book.times.starts[1]! * 1000) / 1000).toFixed(3)}`);
    expect(info).toContain('CHAPTER003NAME=End');
    expect(info).toMatch(/METADATA_BLOCK_PICTURE=3\|image\/jpeg\|\|\d+x\d+x24\|<\d+ bytes of image data>/);
    // The encoder's vendor string is kept.
    expect(info).toMatch(/Encoded with Lavf|Encoded with libopus/);
    expect(decode(book.path, 48_000).length).toBeGreaterThan(4.1 * 48_000 * 2);
  });

  test('a 300 kB cover spans several pages; every page is numbered in turn with a valid CRC', async () => {
    const book = await opusBook('pages', { title: 'Big', cover: covers.jpeg }, ['One', 'Two', 'Three']);
    const all = pages(book.file);
    expect(all.map((p) => p.sequence)).toEqual(all.map((_, i) => i));
    const spanning = tagPagesOf(all).slice(0, -1);
    expect(spanning.length).toBeGreaterThanOrEqual(5);
    expect(spanning.every((p) => p.granule === 0xffffffffffffffffn)).toBe(true);
    expect(spanning.every((p) => p.segments.length === 255 && p.segments.every((s) => s === 255))).toBe(true);
    expect(all.filter((p) => p.flags & 2)).toHaveLength(1);
    expect(all.filter((p) => p.flags & 4)).toHaveLength(1);
    opusinfoClean(book.path);
  });

  test('non-ASCII, emoji, "=" and newline titles come back as written, on one line', async () => {
    const starts = ODD_TITLES.map((_, i) => i * 0.5);
    const probed = probeBook((await opusBook('odd', { title: 'Livre 日本 📚', author: 'Zoë' }, ODD_TITLES, starts)).path);
    expect(probed.chapters.map((c) => c.title)).toEqual(ODD_TITLES_READ);
    expect(probed.tags).toMatchObject({ title: 'Livre 日本 📚', artist: 'Zoë' });
  });

  test.each([0, 1, 150])('%i chapters: all listed in order, clean for opusinfo and ffmpeg', async (count) => {
    const { titles, starts } = evenChapters(count, 4);
    const book = await opusBook(`n${count}`, { title: 'Count' }, titles, starts);
    const probed = probeBook(book.path);
    expect(probed.chapters.map((c) => c.title)).toEqual(titles);
    expect(probed.chapters.map((c) => c.start)).toEqual(starts);
    opusinfoClean(book.path);
    decode(book.path, 48_000);
  });

  // An OpusTags packet of exactly these lengths ends on a lacing boundary: 255 needs a 0 lace, and
  // 255 × 255 fills a page whose packet then ends with a lone 0 lace on the next page.
  test.each([254, 255, 256, 255 * 255 - 1, 255 * 255, 255 * 255 + 1, 2 * 255 * 255])('a %i-byte OpusTags packet is laced so readers find it whole', async (length) => {
    const first = pages(chunks[0]!)[1]!;
    const vendorLength = first.body.readUInt32LE(8);
    // The packet: magic 8, vendor 4 + v, count 4, then "TITLE=" + title with its 4-byte length.
    const titleLength = length - (8 + 4 + vendorLength + 4 + 4 + 6);
    const book = await opusBook(`lace${length}`, { title: 'x'.repeat(titleLength), album: '' }, []);
    const tagPages = tagPagesOf(pages(book.file));
    expect(tagPages.reduce((n, p) => n + p.body.length, 0)).toBe(length);
    expect(tagPages.at(-1)!.segments.at(-1)).toBeLessThan(255);
    expect(probeBook(book.path).tags['title']).toHaveLength(titleLength);
    opusinfoClean(book.path);
  });
});

describe('OpusTags splice on other Ogg Opus streams', () => {
  test("an encoder's OpusTags spanning several pages (opusenc with a picture) shrinks to one page; later pages renumbered", () => {
    const wav = join(dir, 'source.wav');
    writeFileSync(wav, encodeTone(dir, 'wav', 1, 500, 48_000));
    const picture = join(dir, 'cover.jpg');
    writeFileSync(picture, covers.jpeg.data);
    const source = join(dir, 'opusenc.opus');
    expect(run('opusenc', ['--quiet', '--picture', picture, wav, source]).status).toBe(0);
    const input = readFileSync(source);
    expect(tagPagesOf(pages(input)).length).toBeGreaterThan(3);
    const splice = new OpusTagsSplice({ title: 'Small' }, ['Only']);
    const out = Buffer.concat(splice.push(input));
    const path = join(dir, 'retagged.opus');
    writeFileSync(path, applyPatches(out, splice.finish({ starts: [0], end: 1 })));
    const all = pages(readFileSync(path));
    expect(tagPagesOf(all)).toHaveLength(1);
    expect(all.map((p) => p.sequence)).toEqual(all.map((_, i) => i));
    const info = opusinfoClean(path);
    expect(info).toMatch(/Encoded with libopus .*libopusenc/);
    expect(info).not.toContain('METADATA_BLOCK_PICTURE');
    expect(decode(path, 48_000)).toEqual(decode(source, 48_000));
  });

  test('a stream that is not Ogg Opus is refused', () => {
    expect(() => new OpusTagsSplice({}, []).push(encodeTone(dir, 'flac', 0.2, 300))).toThrow(/not an Ogg stream/);
  });
});

describe('OpusTags pages', () => {
  test('patches are whole pages with fresh CRCs, and only the pages that hold chapter times', () => {
    const cover = covers.jpeg;
    const layout = opusTagsPages({ title: 'T', cover }, ['a', 'b'], { serial: 7, sequence: 1, vendor: 'test' });
    const patches = layout.patches({ starts: [0, 3725.5], end: 4000 });
    expect(patches).toHaveLength(1);
    expect(patches[0]!.offset).toBe(0);
    const patched = applyPatches(Buffer.from(layout.bytes), patches);
    const all = pages(patched);
    expect(all.map((p) => [p.serial, p.sequence])).toEqual(all.map((_, i) => [7, i + 1]));
    expect(patched.toString('latin1')).toContain('CHAPTER002=01:02:05.500');
  });

  test('a chapter start past 99 hours does not fit the fixed-width time and is refused', () => {
    const layout = opusTagsPages({}, ['a'], { serial: 1, sequence: 1, vendor: 'v' });
    expect(() => layout.patches({ starts: [360_000], end: 360_001 })).toThrow(/99 h/);
  });

  test('more than 999 chapters cannot be numbered and are refused with a hint', () => {
    expect(() => opusTagsPages({}, evenChapters(1000, 1).titles, { serial: 1, sequence: 1, vendor: 'v' })).toThrow(/at most 999/);
  });
});
