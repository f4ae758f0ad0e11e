import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chapterMilliseconds, oneLine, shiftPatches } from '../../../src/audio/tags/book-tags.js';
import { coverImage, coverKind } from '../../../src/audio/tags/cover-image.js';
import { requireTool } from '../../helpers/audio-tools.js';

let dir: string;
beforeAll(() => {
  requireTool('ffmpeg');
  dir = mkdtempSync(join(tmpdir(), 'tts-booktags-'));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const image = (name: string, args: string[]) => {
  const path = join(dir, name);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=red:s=120x80', '-frames:v', '1', ...args, path]);
  return readFileSync(path);
};

describe('cover images', () => {
  test.each([
    { name: 'a.jpg', args: [], mime: 'image/jpeg', depth: 24 },
    { name: 'a.png', args: [], mime: 'image/png', depth: 24 },
    { name: 'alpha.png', args: ['-pix_fmt', 'rgba'], mime: 'image/png', depth: 32 },
  ])('$name: kind and size from the bytes', ({ name, args, mime, depth }) => {
    expect(coverImage(image(name, args))).toMatchObject({ mime, width: 120, height: 80, depth });
  });

  test('a JPEG whose size comes after large metadata segments (EXIF, comments) is still measured', () => {
    const plain = image('b.jpg', []);
    const segment = (marker: number, length: number) => Buffer.concat([Buffer.from([0xff, marker, (length + 2) >> 8, (length + 2) & 0xff]), Buffer.alloc(length, 0x41)]);
    const tagged = Buffer.concat([plain.subarray(0, 2), segment(0xe1, 60_000), segment(0xfe, 30_000), plain.subarray(2)]);
    expect(coverImage(tagged)).toMatchObject({ mime: 'image/jpeg', width: 120, height: 80, depth: 24 });
  });

  test('GIF, WebP or anything else is refused once, with a hint, for every format', () => {
    expect(() => coverImage(image('a.gif', []))).toThrow(/neither a JPEG nor a PNG/);
    expect(() => coverImage(Buffer.from('<svg/>'))).toThrow(expect.objectContaining({ hint: expect.stringMatching(/JPEG or PNG/) }));
  });

  test('coverKind says, without throwing, whether a picture can be carried: a book reader drops one that cannot', () => {
    expect([image('k.jpg', []), image('k.png', []), image('k.gif', []), Buffer.from('<svg/>'), Buffer.alloc(0)].map((b) => coverKind(b))).toEqual(['image/jpeg', 'image/png', undefined, undefined, undefined]);
  });
});

describe('chapter times and titles', () => {
  test('each chapter ends where the next starts, the last where the audio ends, in whole milliseconds', () => {
    expect(chapterMilliseconds({ starts: [0, 1.2344, 1.2346], end: 2.0004 }, 3)).toEqual([
      { start: 0, end: 1234 },
      { start: 1234, end: 1235 },
      { start: 1235, end: 2000 },
    ]);
  });

  test.each([
    { starts: [0, 1], end: 2, count: 3, error: /2 chapter start\(s\) given for 3/ },
    { starts: [-1], end: 2, count: 1, error: /must rise/ },
    { starts: [0, Number.NaN], end: 2, count: 2, error: /must rise/ },
  ])('$starts ending at $end for $count titles is refused', ({ starts, end, count, error }) => {
    expect(() => chapterMilliseconds({ starts, end }, count)).toThrow(error);
  });

  test('titles are one line: newlines, tabs and control characters become single spaces', () => {
    expect(oneLine('  Part One:\r\n\tThe\u0000Start  ')).toBe('Part One: The Start');
    expect(oneLine('日本 🎧 a=b')).toBe('日本 🎧 a=b');
  });

  test('patches move by the bytes written before them', () => {
    const bytes = Uint8Array.of(1);
    expect(shiftPatches([{ offset: 0, bytes }, { offset: 40, bytes }], 1000)).toEqual([{ offset: 1000, bytes }, { offset: 1040, bytes }]);
  });
});
