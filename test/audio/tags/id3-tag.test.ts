import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createJoiner } from '../../../src/audio/format-plan.js';
import { shiftPatches, type BookTags } from '../../../src/audio/tags/book-tags.js';
import type { CoverImage } from '../../../src/audio/tags/cover-image.js';
import { id3Tag } from '../../../src/audio/tags/id3-tag.js';
import { decode, encodeTone, requireTool, run } from '../../helpers/audio-tools.js';
import { applyPatches, evenChapters, makeCovers, mutagen, ODD_TITLES, ODD_TITLES_READ, probeBook, requireMutagen } from './book-files.js';

let dir: string;
let covers: { jpeg: CoverImage; png: CoverImage };
let chunks: Buffer[];
beforeAll(() => {
  requireTool('ffmpeg');
  requireMutagen();
  dir = mkdtempSync(join(tmpdir(), 'tts-id3-'));
  covers = makeCovers(dir, 300);
  chunks = [encodeTone(dir, 'mp3', 1.3, 300), encodeTone(dir, 'mp3', 2.1, 440), encodeTone(dir, 'mp3', 0.7, 660)];
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * As the pipeline writes an mp3 book: the tag first (titles known, times not), the joined audio
 * after it, then at the end the joiner's Info-frame patch moved past the tag and the chapter times.
 * A chapter starts where a chunk starts, at the joiner's count of seconds.
 */
async function mp3Book(name: string, tags: BookTags, titles: string[], starts?: number[]) {
  const tag = id3Tag(tags, titles);
  const joiner = await createJoiner({ output: 'mp3', wire: 'mp3' }, { seekable: true });
  const out: Uint8Array[] = [tag.bytes];
  const chunkStarts: number[] = [];
  for (const chunk of chunks) {
    chunkStarts.push(joiner.seconds() ?? 0);
    out.push(...joiner.push(chunk), ...joiner.endChunk());
  }
  const end = joiner.finish();
  out.push(...end.tail);
  const seconds = joiner.seconds()!;
  const times = { starts: starts ?? chunkStarts.slice(0, titles.length), end: seconds };
  const file = applyPatches(Buffer.concat(out), [...shiftPatches(end.patches, tag.bytes.length), ...tag.patches(times)]);
  const path = join(dir, `${name}.mp3`);
  writeFileSync(path, file);
  return { path, seconds, times, tagBytes: tag.bytes.length };
}

describe('ID3v2.3 tag with chapters before a joined mp3', () => {
  test('ffprobe reads the title, author, album, track, the cover, and each chapter to the millisecond', async () => {
    const tags = { title: 'My Book', author: 'Jane Doe', track: { number: 3, total: 12 }, cover: covers.jpeg };
    const book = await mp3Book('full', tags, ['Opening', 'Middle', 'End']);
    const probed = probeBook(book.path);
    expect(probed.tags).toMatchObject({ title: 'My Book', artist: 'Jane Doe', album: 'My Book', track: '3/12' });
    expect(probed.pictures).toEqual([{ codec: 'mjpeg', width: covers.jpeg.width, height: covers.jpeg.height }]);
    expect(probed.chapters.map((c) => c.title)).toEqual(['Opening', 'Middle', 'End']);
    const ms = (s: number) => Math.round(s * 1000) / 1000;
    expect(probed.chapters.map((c) => c.start)).toEqual(book.times.starts.map(ms));
    expect(probed.chapters.map((c) => c.end)).toEqual([...book.times.starts.slice(1), book.seconds].map(ms));
    // The tag sits before the Info frame, whose shifted patch still makes the stated length the real one.
    expect(probed.duration).toBeCloseTo(decode(book.path).length / 2 / 24_000, 2);
    expect(run('mpg123', ['-q', '-t', book.path]).output).not.toMatch(/error|warning|skip/i);
  });

  test('mutagen reads the table of contents (ffmpeg ignores it): top-level, ordered, every chapter in turn', async () => {
    const book = await mp3Book('toc', { title: 'My Book' }, ['Opening', 'Middle', 'End']);
    const read = mutagen(book.path, `
tocs = [dict(id=t.element_id, flags=t.flags, children=t.child_element_ids, title=str(t.sub_frames.get('TIT2', ''))) for t in f.tags.getall('CTOC')]
chaps = [dict(id=c.element_id, start=c.start_time, end=c.end_time, title=str(c.sub_frames['TIT2'])) for c in f.tags.getall('CHAP')]
print(json.dumps(dict(tocs=tocs, chaps=sorted(chaps, key=lambda c: c['start']))))`);
    const ms = book.times.starts.map((s) => Math.round(s * 1000));
    expect(read).toEqual({
      tocs: [{ id: 'toc0', flags: 3, children: ['ch1', 'ch2', 'ch3'], title: 'My Book' }],
      chaps: [
        { id: 'ch1', start: 0, end: ms[1], title: 'Opening' },
        { id: 'ch2', start: ms[1], end: ms[2], title: 'Middle' },
        { id: 'ch3', start: ms[2], end: Math.round(book.seconds * 1000), title: 'End' },
      ],
    });
  });

  test('past 255 chapters, mutagen walks a top-level table of child tables holding them all in order', async () => {
    const { titles, starts } = evenChapters(300, 4);
    const book = await mp3Book('toc300', { title: 'Long' }, titles, starts);
    const read = mutagen(book.path, `
tocs = {t.element_id: dict(flags=t.flags, children=t.child_element_ids) for t in f.tags.getall('CTOC')}
chaps = {c.element_id: str(c.sub_frames['TIT2']) for c in f.tags.getall('CHAP')}
top = [t for t, v in tocs.items() if v['flags'] & 2]
order = [chaps[c] for child in tocs[top[0]]['children'] for c in tocs[child]['children']]
print(json.dumps(dict(top=top, children=tocs[top[0]]['children'], order=order)))`);
    expect(read).toEqual({ top: ['toc0'], children: ['toc1', 'toc2'], order: titles });
  });

  test('non-ASCII, emoji, "=" and newline titles come back as written, on one line', async () => {
    const tags = { title: 'Livre 日本 📚', author: 'Zoë' };
    const starts = ODD_TITLES.map((_, i) => i * 0.5);
    const probed = probeBook((await mp3Book('odd', tags, ODD_TITLES, starts)).path);
    expect(probed.chapters.map((c) => c.title)).toEqual(ODD_TITLES_READ);
    expect(probed.tags).toMatchObject({ title: 'Livre 日本 📚', artist: 'Zoë', album: 'Livre 日本 📚' });
  });

  test.each([0, 1, 150, 300])('%i chapters: all listed, in order, and the audio decodes cleanly', async (count) => {
    const { titles, starts } = evenChapters(count, 4);
    const book = await mp3Book(`n${count}`, { title: 'Count' }, titles, starts);
    const probed = probeBook(book.path);
    expect(probed.chapters.map((c) => c.title)).toEqual(titles);
    expect(probed.chapters.map((c) => c.start)).toEqual(starts);
    expect(decode(book.path).length).toBeGreaterThan(4 * 24_000 * 2);
    expect(run('mpg123', ['-q', '-t', book.path]).output).not.toMatch(/error|warning/i);
  });

  test('one file per chapter: the track number, no table of contents, a PNG cover', async () => {
    const book = await mp3Book('track', { title: 'Chapter 2', album: 'My Book', track: { number: 2 }, cover: covers.png }, []);
    const probed = probeBook(book.path);
    expect(probed.tags).toMatchObject({ title: 'Chapter 2', album: 'My Book', track: '2' });
    expect(probed.chapters).toEqual([]);
    expect(probed.pictures).toEqual([{ codec: 'png', width: 40, height: 30 }]);
  });
});

describe('ID3v2.3 layout', () => {
  const frames = (tag: Buffer) => {
    const found: { id: string; body: Buffer }[] = [];
    for (let at = 10; at + 10 <= tag.length; ) {
      const size = tag.readUInt32BE(at + 4);
      found.push({ id: tag.toString('latin1', at, at + 4), body: tag.subarray(at + 10, at + 10 + size) });
      at += 10 + size;
    }
    return found;
  };

  test('version 2.3, frame sizes as plain 32-bit numbers, the tag size syncsafe', () => {
    const tag = Buffer.from(id3Tag({ title: 'T', cover: covers.jpeg }, ['a']).bytes);
    expect([...tag.subarray(0, 5)]).toEqual([0x49, 0x44, 0x33, 3, 0]);
    const size = (tag[6]! << 21) | (tag[7]! << 14) | (tag[8]! << 7) | tag[9]!;
    expect(size + 10).toBe(tag.length);
    expect(frames(tag).map((f) => f.id)).toEqual(['TIT2', 'TALB', 'CTOC', 'CHAP', 'APIC']);
    expect(frames(tag).at(-1)!.body.length).toBeGreaterThan(0x7f * 0x80 * 2);
  });

  test('CTOC is top-level and ordered; past 255 chapters it lists ordered child tables', () => {
    const one = frames(Buffer.from(id3Tag({}, ['a', 'b']).bytes)).find((f) => f.id === 'CTOC')!;
    expect(one.body.toString('latin1')).toBe('toc0\0\x03\x02ch1\0ch2\0');
    const many = frames(Buffer.from(id3Tag({}, evenChapters(300, 1).titles).bytes)).filter((f) => f.id === 'CTOC');
    expect(many.map((f) => [f.body.toString('latin1', 0, 5), f.body[5], f.body[6]])).toEqual([['toc0\0', 3, 2], ['toc1\0', 1, 255], ['toc2\0', 1, 45]]);
  });

  test('chapter times are patched in place: the tag keeps its size, unused byte offsets stay 0xFFFFFFFF', () => {
    const layout = id3Tag({}, ['a', 'b']);
    const patches = layout.patches({ starts: [0, 61.2345], end: 3723.5 });
    const tag = applyPatches(Buffer.from(layout.bytes), patches);
    expect(tag.length).toBe(layout.bytes.length);
    const chaps = frames(tag).filter((f) => f.id === 'CHAP').map((f) => f.body);
    expect(chaps.map((b) => [b.readUInt32BE(4), b.readUInt32BE(8), b.readUInt32BE(12), b.readUInt32BE(16)])).toEqual([
      [0, 61_235, 0xffffffff, 0xffffffff],
      [61_235, 3_723_500, 0xffffffff, 0xffffffff],
    ]);
  });

  test('nothing to say: no tag at all (ID3v2 wants at least one frame)', () => {
    const layout = id3Tag({ title: ' ' }, []);
    expect(layout.bytes).toHaveLength(0);
    expect(layout.patches({ starts: [], end: 1 })).toEqual([]);
  });

  test('times that do not fit the titles are refused', () => {
    const layout = id3Tag({}, ['a', 'b']);
    expect(() => layout.patches({ starts: [0], end: 1 })).toThrow(/1 chapter start\(s\) given for 2/);
    expect(() => layout.patches({ starts: [2, 1], end: 3 })).toThrow(/must rise/);
    expect(() => layout.patches({ starts: [0, 2], end: 1 })).toThrow(/must rise/);
  });
});
