import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createJoiner } from '../../../src/audio/format-plan.js';
import { AdtsFrames } from '../../../src/audio/tags/adts-frames.js';
import type { CoverImage } from '../../../src/audio/tags/cover-image.js';
import { m4aMoov } from '../../../src/audio/tags/m4a-moov.js';
import { M4aWriter, mdatSizePatch, type M4aOptions } from '../../../src/audio/tags/m4a-writer.js';
import { decode, encodeTone, requireTool, run } from '../../helpers/audio-tools.js';
import { applyPatches, evenChapters, makeCovers, mutagen, ODD_TITLES, ODD_TITLES_READ, probeBook, requireMutagen } from './book-files.js';

let dir: string;
let covers: { jpeg: CoverImage; png: CoverImage };
let chunks: Buffer[];
beforeAll(() => {
  requireTool('ffmpeg');
  requireMutagen();
  dir = mkdtempSync(join(tmpdir(), 'tts-m4a-'));
  covers = makeCovers(dir, 300);
  chunks = [encodeTone(dir, 'aac', 1.3, 300), encodeTone(dir, 'aac', 2.1, 440), encodeTone(dir, 'aac', 0.7, 660)];
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** As the pipeline writes an m4b: the head first, the joined ADTS remuxed as it arrives, moov appended and mdat's size patched at the end. */
async function m4aBook(name: string, options: M4aOptions, o: { starts?: number[]; piece?: number } = {}) {
  const joiner = await createJoiner({ output: 'aac', wire: 'aac' }, { seekable: true });
  const writer = new M4aWriter(options);
  const out: Uint8Array[] = [...writer.head()];
  const chunkStarts: number[] = [];
  const piece = o.piece ?? 1 << 20;
  for (const chunk of chunks) {
    chunkStarts.push(writer.seconds() ?? 0);
    for (let at = 0; at < chunk.length; at += piece) {
      for (const bytes of joiner.push(chunk.subarray(at, at + piece))) out.push(...writer.push(bytes));
    }
    for (const bytes of joiner.endChunk()) out.push(...writer.push(bytes));
  }
  const seconds = writer.seconds()!;
  const times = { starts: o.starts ?? chunkStarts.slice(0, options.chapterTitles.length), end: seconds };
  const end = writer.finish(times);
  out.push(...end.tail);
  const file = applyPatches(Buffer.concat(out), end.patches);
  const path = join(dir, `${name}.${options.kind}`);
  writeFileSync(path, file);
  return { path, file, times, seconds };
}

/** The same file with one box's type changed, so readers skip it: shows what the rest alone gives. */
function without(file: Buffer, type: string, path: string): string {
  const copy = Buffer.from(file);
  const at = copy.indexOf(Buffer.from(type, 'latin1'), copy.indexOf(Buffer.from('moov', 'latin1')));
  expect(at).toBeGreaterThan(0);
  copy.write('free', at, 'latin1');
  writeFileSync(path, copy);
  return path;
}

const ms = (s: number) => Math.round(s * 1000) / 1000;
/** ffprobe prints times to the microsecond. */
const micro = (s: number) => Math.round(s * 1e6) / 1e6;
const book = { title: 'My Book', author: 'Jane Doe', track: { number: 3, total: 12 } };

describe('m4b from ADTS: AAC remuxed into MP4 with chapters, tags and a cover', () => {
  test('ffprobe states the exact decoded length, which ADTS alone cannot', async () => {
    const m4b = await m4aBook('length', { tags: book, chapterTitles: ['One'], kind: 'm4b' }, { piece: 777 });
    const decoded = decode(m4b.path).length / 2;
    const probed = probeBook(m4b.path);
    expect(probed.audioDuration).toBe(micro(decoded / 24_000));
    // The movie's clock is in milliseconds, rounded up so the edit list keeps every sample.
    expect(probed.duration).toBe(Math.ceil((decoded / 24_000) * 1000) / 1000);
    expect(m4b.seconds).toBe(decoded / 24_000);
    const adts = join(dir, 'joined.aac');
    writeFileSync(adts, Buffer.concat(chunks));
    expect(Math.abs(probeBook(adts).duration - decoded / 24_000)).toBeGreaterThan(0.01);
    expect(run('ffmpeg', ['-v', 'error', '-i', m4b.path, '-f', 'null', '-']).output).toBe('');
  });

  test('title, author, album, track, cover and kind are read back; each chapter on its sample', async () => {
    const m4b = await m4aBook('full', { tags: { ...book, cover: covers.jpeg }, chapterTitles: ['Opening', 'Middle', 'End'], kind: 'm4b' });
    const probed = probeBook(m4b.path);
    expect(probed.tags).toMatchObject({ title: 'My Book', artist: 'Jane Doe', album: 'My Book', track: '3/12', major_brand: 'M4B ', media_type: '2' });
    expect(probed.pictures).toEqual([{ codec: 'mjpeg', width: covers.jpeg.width, height: covers.jpeg.height }]);
    expect(probed.chapters.map((c) => c.title)).toEqual(['Opening', 'Middle', 'End']);
    expect(probed.chapters.map((c) => c.start)).toEqual(m4b.times.starts.map(micro));
    expect(probed.chapters.map((c) => c.end)).toEqual([...m4b.times.starts.slice(1), m4b.seconds].map(micro));
  });

  test('both chapter forms stand alone: the QuickTime chapter track, and Nero chpl', async () => {
    const m4b = await m4aBook('forms', { tags: book, chapterTitles: ['Opening', '日本', 'End'], kind: 'm4b' });
    // Both forms are finer than a millisecond: a chapter starts on its exact AAC sample.
    const expected = m4b.times.starts.map(micro);
    const quickTime = probeBook(without(m4b.file, 'chpl', join(dir, 'qt-only.m4b'))).chapters;
    const nero = probeBook(without(m4b.file, 'tref', join(dir, 'nero-only.m4b'))).chapters;
    for (const chapters of [quickTime, nero]) {
      expect(chapters.map((c) => c.title)).toEqual(['Opening', '日本', 'End']);
      expect(chapters.map((c) => c.start)).toEqual(expected);
    }
  });

  test('mutagen, as audiobook apps built on it read the file: iTunes tags, cover, chpl chapters', async () => {
    const m4b = await m4aBook('mutagen', { tags: { ...book, cover: covers.jpeg }, chapterTitles: ['Opening', 'Middle', 'End'], kind: 'm4b' });
    const read = mutagen(m4b.path, `
t = f.tags
print(json.dumps(dict(title=t['\xa9nam'], artist=t['\xa9ART'], album=t['\xa9alb'], track=t['trkn'], kind=t['stik'],
  cover=[len(c) for c in t['covr']], chapters=[[c.start, c.title] for c in f.chapters], length=f.info.length)))`);
    expect(read).toEqual({
      title: ['My Book'], artist: ['Jane Doe'], album: ['My Book'], track: [[3, 12]], kind: [2],
      cover: [covers.jpeg.data.length],
      // mutagen 1.46 takes chpl's 100 ns units to be in the movie's clock: right when that is milliseconds.
      chapters: m4b.times.starts.map((s, i) => [Math.round(s * 1e7) / 1e7, ['Opening', 'Middle', 'End'][i]]),
      length: m4b.seconds,
    });
  });

  test('non-ASCII, emoji, "=" and newline titles come back on one line', async () => {
    const starts = ODD_TITLES.map((_, i) => i * 0.5);
    const m4b = await m4aBook('odd', { tags: { title: 'Livre 日本 📚', author: 'Zoë' }, chapterTitles: ODD_TITLES, kind: 'm4b' }, { starts });
    const probed = probeBook(m4b.path);
    expect(probed.chapters.map((c) => c.title)).toEqual(ODD_TITLES_READ);
    expect(probed.tags).toMatchObject({ title: 'Livre 日本 📚', artist: 'Zoë' });
    // Nero titles hold at most 255 bytes: the long one is cut there, not inside a character.
    const nero = probeBook(without(m4b.file, 'tref', join(dir, 'odd-nero.m4b'))).chapters;
    expect(nero.at(-1)!.title).toBe('x'.repeat(255));
  });

  test.each([0, 1, 150, 300])('%i chapters: all listed in order, the audio decodes cleanly', async (count) => {
    const { titles, starts } = evenChapters(count, 4);
    const m4b = await m4aBook(`n${count}`, { tags: { title: 'Count' }, chapterTitles: titles, kind: 'm4b' }, { starts });
    const probed = probeBook(m4b.path);
    expect(probed.chapters.map((c) => c.title)).toEqual(titles);
    // A chapter starts on an AAC sample (1/24000 s); ffprobe prints it rounded to the microsecond.
    expect(probed.chapters.map((c) => ms(c.start))).toEqual(starts);
    expect(decode(m4b.path).length / 2).toBe(Math.round(m4b.seconds * 24_000));
  });

  test('one file per chapter as m4a: the track number, a PNG cover, no chapter track', async () => {
    const m4a = await m4aBook('track', { tags: { title: 'Chapter 2', album: 'My Book', track: { number: 2 }, cover: covers.png }, chapterTitles: [], kind: 'm4a' });
    const probed = probeBook(m4a.path);
    expect(probed.tags).toMatchObject({ title: 'Chapter 2', album: 'My Book', track: '2', major_brand: 'M4A ' });
    expect(probed.tags['media_type']).toBeUndefined();
    expect(probed.pictures).toEqual([{ codec: 'png', width: 40, height: 30 }]);
    expect(probed.chapters).toEqual([]);
    expect(m4a.file.includes(Buffer.from('tref', 'latin1'))).toBe(false);
  });
});

describe('MP4 pieces', () => {
  test('ADTS cut at any byte gives the same raw frames, headers dropped', () => {
    const whole = new AdtsFrames().push(chunks[0]!);
    const bytewise = new AdtsFrames();
    const pieces = [...chunks[0]!].flatMap((b) => bytewise.push(Uint8Array.of(b)));
    expect(Buffer.concat(pieces)).toEqual(Buffer.concat(whole));
    expect(Buffer.concat(whole).length).toBe(chunks[0]!.length - 7 * whole.length);
  });

  test('ADTS that changes rate mid-stream is refused, and so is a frame cut short at the end', () => {
    const frames = new AdtsFrames();
    frames.push(chunks[0]!);
    expect(() => frames.push(encodeTone(dir, 'aac', 0.2, 300, 16_000))).toThrow(/changes from 24000 Hz/);
    const cut = new AdtsFrames();
    cut.push(chunks[0]!.subarray(0, chunks[0]!.length - 3));
    expect(() => cut.end()).toThrow(/ends inside an ADTS frame/);
  });

  test('chunk offsets switch to co64 once audio lies past 4 GiB', () => {
    const input = { config: { objectType: 2, rateIndex: 6, sampleRate: 24_000, channels: 1 }, chapters: undefined, tags: {}, audiobook: false };
    const sizes = new Uint16Array(200).fill(300);
    const near = m4aMoov({ ...input, sizes, audioOffset: 2 ** 32 - 40_000 });
    const at = near.indexOf(Buffer.from('co64', 'latin1'));
    expect(at).toBeGreaterThan(0);
    expect(near.indexOf(Buffer.from('stco', 'latin1'))).toBe(-1);
    // 200 frames in chunks of 64: 4 chunks, the last one starting 192 frames in.
    expect(near.readUInt32BE(at + 8)).toBe(4);
    expect(Number(near.readBigUInt64BE(at + 12 + 3 * 8))).toBe(2 ** 32 - 40_000 + 192 * 300);
    expect(m4aMoov({ ...input, sizes, audioOffset: 1000 }).indexOf(Buffer.from('co64', 'latin1'))).toBe(-1);
  });

  test('mdat past 4 GiB takes a 64-bit size, written over the free box before it', () => {
    expect(mdatSizePatch(28, 1000)).toEqual({ offset: 36, bytes: Buffer.from([0, 0, 0x03, 0xf0]) });
    const large = mdatSizePatch(28, 2 ** 32);
    expect(large.offset).toBe(28);
    expect(Buffer.from(large.bytes).toString('hex')).toBe(`00000001${Buffer.from('mdat').toString('hex')}0000000100000010`);
  });

  test('the writer refuses to finish with no audio, and times that do not fit its titles', () => {
    const empty = new M4aWriter({ tags: {}, chapterTitles: [], kind: 'm4a' });
    empty.head();
    expect(() => empty.finish({ starts: [], end: 0 })).toThrow(/no AAC audio/);
    const writer = new M4aWriter({ tags: {}, chapterTitles: ['a'], kind: 'm4b' });
    writer.head();
    writer.push(chunks[0]!);
    expect(() => writer.finish({ starts: [], end: 1 })).toThrow(/0 chapter start\(s\) given for 1/);
  });
});
