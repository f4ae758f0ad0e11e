import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createJoiner } from '../../../src/audio/format-plan.js';
import { codecOf, type AudioFormat, type OutputFormat } from '../../../src/audio/formats.js';
import { tagJoiner } from '../../../src/audio/tags/tagged-joiner.js';
import { decode, encodeTone, requireTool } from '../../helpers/audio-tools.js';
import { applyPatches, probeBook } from './book-files.js';

let dir: string;
beforeAll(() => {
  requireTool('ffmpeg');
  dir = mkdtempSync(join(tmpdir(), 'tts-tagged-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A provider's chunk as the pipeline gets it: `format`, 12 s, read from the socket 64 KiB at a time. */
function chunk(wire: AudioFormat): Buffer {
  return wire === 'pcm' ? Buffer.alloc(24_000 * 2 * 12, 1) : encodeTone(dir, wire, 12, 330);
}

describe('a book file is written in a few large pieces', () => {
  test.each([
    ['mp3', 'mp3'],
    ['opus', 'opus'],
    ['flac', 'flac'],
    ['pcm', 'wav'],
    ['aac', 'm4b'],
  ] as const)('%s into %s: one piece per read of the socket, not one per codec frame (a write each)', async (wire, output: OutputFormat) => {
    const joiner = tagJoiner(await createJoiner({ wire, output: codecOf(output) }, { seekable: true }), output, { tags: { title: 'Pieces' }, chapterTitles: ['One', 'Two'] });
    const written: Uint8Array[] = [];
    const calls: number[] = [];
    const take = (pieces: Uint8Array[]): void => {
      calls.push(pieces.length);
      written.push(...pieces);
    };
    for (const _ of ['One', 'Two']) {
      joiner.chapter?.();
      const bytes = chunk(wire);
      for (let at = 0; at < bytes.length; at += 1 << 16) take(joiner.push(bytes.subarray(at, at + (1 << 16))));
      take(joiner.endChunk());
    }
    const end = joiner.finish();
    take(end.tail);
    // Twelve seconds are hundreds of codec frames: all that one read gives goes to the file at once.
    expect(Math.max(...calls)).toBeLessThanOrEqual(1);
    const path = join(dir, `pieces.${output}`);
    writeFileSync(path, applyPatches(Buffer.concat(written), end.patches));
    expect(probeBook(path).chapters.map((c) => c.title)).toEqual(['One', 'Two']);
    expect(decode(path).length).toBeGreaterThan(0);
  });
});
