import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createJoiner } from '../../../src/audio/format-plan.js';
import type { BookTags } from '../../../src/audio/tags/book-tags.js';
import { wavTrailer } from '../../../src/audio/tags/wav-info.js';
import { decode, encodeTone, requireTool } from '../../helpers/audio-tools.js';
import { applyPatches, evenChapters, ODD_TITLES, ODD_TITLES_READ, probeBook } from './book-files.js';

let dir: string;
let chunks: Buffer[];
beforeAll(() => {
  requireTool('ffmpeg');
  dir = mkdtempSync(join(tmpdir(), 'tts-wavinfo-'));
  chunks = [encodeTone(dir, 'wav', 1.3, 300), encodeTone(dir, 'wav', 2.1, 440), encodeTone(dir, 'wav', 0.7, 660)];
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** As the pipeline writes a WAV book: the joined samples, then at the end the trailer, the joiner's size patches, and the trailer's RIFF size over them. */
async function wavBook(name: string, tags: BookTags, titles: string[], starts?: number[]) {
  const joiner = await createJoiner({ output: 'wav', wire: 'wav' }, { seekable: true });
  const out: Uint8Array[] = [];
  const chunkStarts: number[] = [];
  for (const chunk of chunks) {
    chunkStarts.push(joiner.seconds() ?? 0);
    out.push(...joiner.push(chunk), ...joiner.endChunk());
  }
  const end = joiner.finish();
  out.push(...end.tail);
  const seconds = joiner.seconds()!;
  const dataBytes = out.reduce((n, b) => n + b.length, 0) - 44;
  const times = { starts: starts ?? chunkStarts.slice(0, titles.length), end: seconds };
  const trailer = wavTrailer({ tags, chapterTitles: titles, times, sampleRate: 24_000, dataBytes });
  if (trailer) out.push(trailer.bytes);
  const file = applyPatches(Buffer.concat(out), [...end.patches, ...(trailer?.patches ?? [])]);
  const path = join(dir, `${name}.wav`);
  writeFileSync(path, file);
  return { path, times, seconds, file };
}

describe('WAV LIST/INFO tags and cue chapters after the data chunk', () => {
  test('ffprobe reads title, artist, album and track, and each chapter at its sample; the samples are unchanged', async () => {
    const book = await wavBook('full', { title: 'My Book', author: 'Jane Doe', track: { number: 3, total: 12 } }, ['Opening', 'Middle', 'End']);
    const probed = probeBook(book.path);
    expect(probed.tags).toMatchObject({ title: 'My Book', artist: 'Jane Doe', album: 'My Book', track: '3/12' });
    expect(probed.chapters.map((c) => c.title)).toEqual(['Opening', 'Middle', 'End']);
    expect(probed.chapters.map((c) => c.start)).toEqual([0, 1.3, 3.4]);
    expect(probed.chapters.at(-1)!.end).toBeCloseTo(book.seconds, 4);
    expect(probed.duration).toBeCloseTo(4.1, 4);
    // Nothing after the data chunk is played: the decoded samples are exactly the data chunk's.
    const dataBytes = book.file.readUInt32LE(40);
    expect(decode(book.path)).toEqual(book.file.subarray(44, 44 + dataBytes));
    expect(book.file.readUInt32LE(4)).toBe(book.file.length - 8);
  });

  test('UTF-8 titles, "=" and newlines come back on one line', async () => {
    const starts = ODD_TITLES.map((_, i) => i * 0.5);
    const probed = probeBook((await wavBook('odd', { title: 'Livre 日本 📚', author: 'Zoë' }, ODD_TITLES, starts)).path);
    expect(probed.chapters.map((c) => c.title)).toEqual(ODD_TITLES_READ);
    expect(probed.tags).toMatchObject({ title: 'Livre 日本 📚', artist: 'Zoë' });
  });

  test.each([1, 150])('%i chapters, each at its sample', async (count) => {
    const { titles, starts } = evenChapters(count, 4);
    const probed = probeBook((await wavBook(`n${count}`, {}, titles, starts)).path);
    expect(probed.chapters.map((c) => c.title)).toEqual(titles);
    expect(probed.chapters.map((c) => c.start)).toEqual(starts);
  });

  test('nothing to say, or a file past 4 GiB (streaming sizes, nothing may follow the data): no trailer', () => {
    const times = { starts: [], end: 1 };
    expect(wavTrailer({ tags: {}, chapterTitles: [], times, sampleRate: 24_000, dataBytes: 100 })).toBeUndefined();
    expect(wavTrailer({ tags: { title: 'x' }, chapterTitles: [], times, sampleRate: 24_000, dataBytes: 0xffffffff - 40 })).toBeUndefined();
  });

  test('an odd-length data chunk gets its pad byte before the trailer', () => {
    const trailer = wavTrailer({ tags: { title: 'x' }, chapterTitles: [], times: { starts: [], end: 1 }, sampleRate: 8000, dataBytes: 101 })!;
    expect(trailer.bytes[0]).toBe(0);
    expect(trailer.bytes.toString('latin1', 1, 5)).toBe('LIST');
    expect(trailer.patches[0]!.bytes).toEqual(Buffer.from([(36 + 101 + trailer.bytes.length) & 0xff, 0, 0, 0]));
  });
});
