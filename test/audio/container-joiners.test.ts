import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createJoiner } from '../../src/audio/format-plan.js';
import type { AudioFormat } from '../../src/audio/formats.js';
import { decode, encodeTone, probe, requireTool, run } from '../helpers/audio-tools.js';
import { firstDifference } from './join-helpers.js';

let dir: string;
beforeAll(() => {
  requireTool('ffmpeg');
  dir = mkdtempSync(join(tmpdir(), 'tts-join-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Joins chunks fed in `piece`-byte reads, as a file (patched) or a pipe (not), and writes the result. */
async function joinTo(format: AudioFormat, chunks: Buffer[], options: { piece: number; seekable: boolean; name: string }) {
  const joiner = await createJoiner({ output: format, wire: format }, { seekable: options.seekable });
  const out: Uint8Array[] = [];
  for (const chunk of chunks) {
    for (let at = 0; at < chunk.length; at += options.piece) out.push(...joiner.push(chunk.subarray(at, at + options.piece)));
    out.push(...joiner.endChunk());
  }
  const end = joiner.finish();
  out.push(...end.tail);
  const file = Buffer.concat(out);
  if (options.seekable) for (const p of end.patches) Buffer.from(p.bytes).copy(file, p.offset);
  const path = join(dir, `${options.name}.${format === 'opus' ? 'ogg' : format}`);
  writeFileSync(path, file);
  return path;
}

/** Three tone chunks per format, made once: ffmpeg's start-up is most of these tests' time. */
const toneCache = new Map<string, Buffer[]>();
function tones(format: string): Buffer[] {
  if (!toneCache.has(format)) toneCache.set(format, [encodeTone(dir, format, 1.3, 300), encodeTone(dir, format, 2.1, 440), encodeTone(dir, format, 0.7, 660)]);
  return toneCache.get(format)!;
}
const decodedSamples = (path: string, rate?: number) => decode(path, rate).length / 2;

/** The flac tone chunks, each decoded on its own, one after the other. */
let flacTonesDecoded: Buffer | undefined;
function decodedTones(): Buffer {
  flacTonesDecoded ??= Buffer.concat(tones('flac').map((c, i) => {
    const one = join(dir, `one-${i}.flac`);
    writeFileSync(one, c);
    return decode(one);
  }));
  return flacTonesDecoded;
}

describe.each([
  { piece: 1, seekable: true },
  { piece: 777, seekable: true },
  { piece: 1 << 20, seekable: false },
])('joins fed $piece bytes at a time (seekable: $seekable)', ({ piece, seekable }) => {
  const name = (f: string) => `${f}-${piece}-${seekable}`;

  test('mp3: one stream whose stated duration is its decoded length, no decoder errors', async () => {
    const chunks = tones('mp3');
    const path = await joinTo('mp3', chunks, { piece, seekable, name: name('mp3') });
    const samples = decodedSamples(path);
    // Every audio frame of every chunk is kept: 576 samples each at 24 kHz (MPEG-2 layer III).
    expect(samples % 576).toBe(0);
    expect(samples / 24_000).toBeGreaterThan(1.3 + 2.1 + 0.7);
    expect(probe(path).duration).toBeCloseTo(samples / 24_000, 3);
    expect(run('mpg123', ['-q', '-t', path]).output).not.toMatch(/error|warning/i);
  });

  test('opus: one logical Ogg stream whose stated length is its decoded length', async () => {
    const path = await joinTo('opus', tones('opus'), { piece, seekable, name: name('opus') });
    const samples = decodedSamples(path, 48_000);
    expect(samples / 48_000).toBeGreaterThan(4.1);
    expect(samples / 48_000).toBeLessThan(4.2);
    // ffprobe counts the 312-sample pre-skip in the duration; decoders drop it.
    expect(Math.round(probe(path).duration * 48_000) - 312).toBe(samples);
    const info = run('opusinfo', [path]);
    expect(info.status).toBe(0);
    expect(info.output).not.toMatch(/WARNING|ERROR/i);
    // One logical stream, not a chain: players stop at the end of the first of a chain.
    expect(info.output.match(/New logical stream/g)).toHaveLength(1);
  });

  test('flac: bit-exact, with STREAMINFO totals on a file', async () => {
    const chunks = tones('flac');
    const path = await joinTo('flac', chunks, { piece, seekable, name: name('flac') });
    const expected = decodedTones();
    expect(firstDifference(decode(path), expected)).toBe('none');
    expect(run('flac', ['-s', '-t', path]).status).toBe(0);
    if (seekable) expect(probe(path).duration).toBeCloseTo(expected.length / 2 / 24_000, 6);
  });

  test('aac: validated ADTS frames, every one decodable', async () => {
    const path = await joinTo('aac', tones('aac'), { piece, seekable, name: name('aac') });
    const samples = decodedSamples(path);
    expect(samples % 1024).toBe(0);
    expect(samples / 24_000).toBeGreaterThan(4.1);
  });
});

describe('what cannot be joined is refused, naming the chunk', () => {
  test.each(['mp3', 'flac', 'aac'] as const)('%s at another sample rate', async (format) => {
    const chunks = [encodeTone(dir, format, 0.5, 300, 24_000), encodeTone(dir, format, 0.5, 300, 22_050)];
    await expect(joinTo(format, chunks, { piece: 4096, seekable: true, name: `bad-${format}` })).rejects.toThrow(/chunk 2 .*(22050|channel).*chunk 1/);
  });

  test('opus with another channel count', async () => {
    const stereo = join(dir, 'stereo.ogg');
    run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=duration=0.5', '-ac', '2', '-c:a', 'libopus', stereo]);
    await expect(joinTo('opus', [encodeTone(dir, 'opus', 0.5, 300), readFileSync(stereo)], { piece: 4096, seekable: true, name: 'bad-opus' })).rejects.toThrow(/chunk 2 has 2 channel/);
  });

  test('aac in an MP4 container', async () => {
    const m4a = join(dir, 'x.m4a');
    run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=duration=0.5', '-c:a', 'aac', m4a]);
    await expect(joinTo('aac', [readFileSync(m4a)], { piece: 4096, seekable: true, name: 'mp4' })).rejects.toThrow(/MP4 container, not ADTS/);
  });
});

test('mp3: ID3v1, APE tags and stray bytes between chunks are not audio', async () => {
  const [a, b] = [encodeTone(dir, 'mp3', 0.5, 300), encodeTone(dir, 'mp3', 0.5, 500)];
  const id3v1 = Buffer.concat([Buffer.from('TAG', 'latin1'), Buffer.alloc(125, 0x41)]);
  const apeFooter = Buffer.alloc(32);
  apeFooter.write('APETAGEX', 0, 'latin1');
  apeFooter.writeUInt32LE(32, 12);
  const clean = decodedSamples(await joinTo('mp3', [a!, b!], { piece: 500, seekable: true, name: 'clean' }));
  const tagged = await joinTo('mp3', [Buffer.concat([a!, apeFooter, id3v1]), Buffer.concat([Buffer.from('junk!'), b!])], { piece: 500, seekable: true, name: 'tagged' });
  expect(decodedSamples(tagged)).toBe(clean);
});

test.each(['mp3', 'aac', 'flac'] as const)('%s: a chunk with no audio frames at all is an error, never silently nothing', async (format) => {
  await expect(joinTo(format, [Buffer.alloc(5000, 0x11)], { piece: 4096, seekable: true, name: `empty-${format}` })).rejects.toThrow(/chunk 1 (holds no|is not|has bytes that are not)/);
});
