import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createJoiner } from '../../../src/audio/format-plan.js';
import type { BookTags } from '../../../src/audio/tags/book-tags.js';
import type { CoverImage } from '../../../src/audio/tags/cover-image.js';
import { flacMetadata, FlacMetadataSplice } from '../../../src/audio/tags/flac-metadata.js';
import { encodeTone, requireTool, run } from '../../helpers/audio-tools.js';
import { applyPatches, evenChapters, makeCovers, ODD_TITLES, ODD_TITLES_READ, probeBook } from './book-files.js';

let dir: string;
let covers: { jpeg: CoverImage; png: CoverImage };
let chunks: Buffer[];
beforeAll(() => {
  requireTool('ffmpeg');
  dir = mkdtempSync(join(tmpdir(), 'tts-flactags-'));
  covers = makeCovers(dir, 300);
  chunks = [encodeTone(dir, 'flac', 1.3, 300), encodeTone(dir, 'flac', 2.1, 440), encodeTone(dir, 'flac', 0.7, 660)];
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** As the pipeline writes a FLAC book: the joiner's output through the splice; STREAMINFO and the chapter times patched at the end. */
async function flacBook(name: string, tags: BookTags, titles: string[], options: { starts?: number[]; input?: Buffer[] } = {}) {
  const joiner = await createJoiner({ output: 'flac', wire: 'flac' }, { seekable: true });
  const splice = new FlacMetadataSplice(tags, titles, { vendor: 'tts' });
  const out: Uint8Array[] = [];
  const chunkStarts: number[] = [];
  for (const chunk of options.input ?? chunks) {
    chunkStarts.push(joiner.seconds() ?? 0);
    for (const bytes of [...joiner.push(chunk), ...joiner.endChunk()]) out.push(...splice.push(bytes));
  }
  const end = joiner.finish();
  for (const bytes of end.tail) out.push(...splice.push(bytes));
  const seconds = joiner.seconds()!;
  const times = { starts: options.starts ?? chunkStarts.slice(0, titles.length), end: seconds };
  const file = applyPatches(Buffer.concat(out), [...end.patches, ...splice.finish(times)]);
  const path = join(dir, `${name}.flac`);
  writeFileSync(path, file);
  return { path, times, seconds, file };
}

/** The joiner's own file, no splice: what the audio frames must stay. */
async function joinedOnly(): Promise<Buffer> {
  const joiner = await createJoiner({ output: 'flac', wire: 'flac' }, { seekable: true });
  const out = chunks.flatMap((chunk) => [...joiner.push(chunk), ...joiner.endChunk()]);
  const end = joiner.finish();
  return applyPatches(Buffer.concat([...out, ...end.tail]), end.patches);
}

function metaflacBlocks(path: string): string[] {
  // A picture block is listed as a hex dump: more than spawnSync's default buffer holds.
  const list = spawnSync('metaflac', ['--list', path], { encoding: 'utf8', maxBuffer: 1 << 26 });
  expect(list.status).toBe(0);
  return [...list.stdout.matchAll(/^ {2}type: \d+ \((\w+)\)/gm)].map((m) => m[1]!);
}

describe('FLAC VORBIS_COMMENT and PICTURE after STREAMINFO', () => {
  test('flac -t passes; ffprobe reads the tags, the cover, each chapter; STREAMINFO and the frames are untouched', async () => {
    const tags = { title: 'My Book', author: 'Jane Doe', track: { number: 3, total: 12 }, cover: covers.jpeg };
    const book = await flacBook('full', tags, ['Opening', 'Middle', 'End']);
    expect(run('flac', ['-s', '-t', book.path]).status).toBe(0);
    expect(metaflacBlocks(book.path)).toEqual(['STREAMINFO', 'VORBIS_COMMENT', 'PICTURE']);
    const probed = probeBook(book.path);
    expect(probed.tags).toMatchObject({ title: 'My Book', artist: 'Jane Doe', album: 'My Book', track: '3', tracktotal: '12' });
    expect(probed.pictures).toEqual([{ codec: 'mjpeg', width: covers.jpeg.width, height: covers.jpeg.height }]);
    expect(probed.chapters.map((c) => c.title)).toEqual(['Opening', 'Middle', 'End']);
    const ms = (s: number) => Math.round(s * 1000) / 1000;
    expect(probed.chapters.map((c) => c.start)).toEqual(book.times.starts.map(ms));
    expect(probed.chapters.at(-1)!.end).toBeCloseTo(book.seconds, 3);
    // STREAMINFO (patched by the joiner at offset 8) still states the true length.
    expect(probed.duration).toBeCloseTo(book.seconds, 6);
    const plain = await joinedOnly();
    const streamInfo = 4 + 4 + 34;
    expect(book.file.subarray(0, streamInfo)).toEqual(Buffer.concat([plain.subarray(0, 4), Buffer.from([0]), plain.subarray(5, streamInfo)]));
    expect(book.file.subarray(book.file.length - (plain.length - streamInfo))).toEqual(plain.subarray(streamInfo));
  });

  test('metaflac shows the comments one per line, with "=" kept in values', async () => {
    const book = await flacBook('odd', { title: 'Livre 日本 📚' }, ODD_TITLES, { starts: ODD_TITLES.map((_, i) => i * 0.5) });
    const exported = run('metaflac', ['--export-tags-to=-', book.path]).output.split('\n');
    expect(exported).toContain('CHAPTER004NAME=a=b=c');
    expect(exported).toContain('CHAPTER005NAME=Two lines');
    expect(exported).toContain('CHAPTER002=00:00:00.500');
    expect(probeBook(book.path).chapters.map((c) => c.title)).toEqual(ODD_TITLES_READ);
  });

  test.each([0, 1, 150])('%i chapters, no cover: one VORBIS_COMMENT block, last, and every chapter read back', async (count) => {
    const { titles, starts } = evenChapters(count, 4);
    const book = await flacBook(`n${count}`, { title: 'Count' }, titles, { starts });
    expect(metaflacBlocks(book.path)).toEqual(['STREAMINFO', 'VORBIS_COMMENT']);
    expect(run('flac', ['-s', '-t', book.path]).status).toBe(0);
    const probed = probeBook(book.path);
    expect(probed.chapters.map((c) => c.title)).toEqual(titles);
    expect(probed.chapters.map((c) => c.start)).toEqual(starts);
  });

  test("a stream's own comments, pictures and padding are replaced; its vendor string and other blocks are kept", async () => {
    const tagged = join(dir, 'encoder-tagged.flac');
    writeFileSync(tagged, chunks[0]!);
    run('metaflac', ['--set-tag=TITLE=Old', '--add-padding=512', '--add-seekpoint=1s', tagged]);
    const book = await flacBook('retag', { title: 'New' }, [], { input: [readFileSync(tagged)] });
    const splice = new FlacMetadataSplice({ title: 'New' }, [], { vendor: 'fallback' });
    const out = Buffer.concat(splice.push(readFileSync(tagged)));
    writeFileSync(join(dir, 'retag-direct.flac'), out);
    expect(metaflacBlocks(join(dir, 'retag-direct.flac'))).toEqual(['STREAMINFO', 'SEEKTABLE', 'VORBIS_COMMENT']);
    expect(run('metaflac', ['--show-vendor-tag', join(dir, 'retag-direct.flac')]).output).toMatch(/libFLAC|Lavf/);
    expect(run('metaflac', ['--export-tags-to=-', join(dir, 'retag-direct.flac')]).output).toBe('TITLE=New\nALBUM=New\n');
    expect(run('flac', ['-s', '-t', join(dir, 'retag-direct.flac')]).status).toBe(0);
    expect(probeBook(book.path).tags['title']).toBe('New');
  });

  test('the blocks alone: the last-block flag on the last one only, chapter times patched in place', () => {
    const layout = flacMetadata({ cover: covers.png }, ['a', 'b'], { vendor: 'v' });
    const bytes = applyPatches(Buffer.from(layout.bytes), layout.patches({ starts: [0, 3725.5], end: 4000 }));
    const firstLength = bytes.readUIntBE(1, 3);
    expect([bytes[0], bytes[4 + firstLength]]).toEqual([4, 0x80 | 6]);
    expect(bytes.toString('utf8')).toContain('CHAPTER002=01:02:05.500');
  });
});
