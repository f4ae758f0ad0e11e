import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createJoiner, planFormats } from '../../src/audio/format-plan.js';
import type { AudioFormat } from '../../src/audio/formats.js';
import { decode, probe, requireTool, run } from '../helpers/audio-tools.js';
import { firstDifference } from './join-helpers.js';

let dir: string;
beforeAll(() => {
  requireTool('ffmpeg');
  dir = mkdtempSync(join(tmpdir(), 'tts-enc-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A 24 kHz mono s16le tone, as OpenRouter's pcm would be. */
function tone(seconds: number, hz: number): Buffer {
  const n = Math.round(seconds * 24_000);
  const b = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(Math.sin((2 * Math.PI * hz * i) / 24_000) * 12_000), i * 2);
  return b;
}

const chunks = [tone(1.1, 300), tone(0.45, 500), tone(2.05, 700)];
const input = Buffer.concat(chunks);
const inputSamples = input.length / 2;

async function encode(format: AudioFormat, seekable: boolean): Promise<string> {
  // A server that sends only pcm, so every format is made here.
  const plan = planFormats(format, ['pcm'], 'a pcm-only server');
  expect(plan.wire).toBe('pcm');
  const joiner = await createJoiner(plan, { seekable });
  const out: Uint8Array[] = [];
  for (const c of chunks) {
    for (let at = 0; at < c.length; at += 1001) out.push(...joiner.push(c.subarray(at, at + 1001)));
    out.push(...joiner.endChunk());
  }
  const end = joiner.finish();
  out.push(...end.tail);
  const file = Buffer.concat(out.map((b) => Buffer.from(b)));
  if (seekable) for (const p of end.patches) Buffer.from(p.bytes).copy(file, p.offset);
  const path = join(dir, `local-${seekable}.${format === 'opus' ? 'ogg' : format}`);
  writeFileSync(path, file);
  return path;
}

describe.each([true, false])('formats made here from pcm (seekable output: %s)', (seekable) => {
  test('flac is lossless: decoding gives back the very samples', async () => {
    const path = await encode('flac', seekable);
    expect(firstDifference(decode(path), input)).toBe('none');
    expect(run('flac', ['-s', '-t', path]).status).toBe(0);
    if (seekable) expect(probe(path).duration).toBeCloseTo(inputSamples / 24_000, 6);
  });

  test('opus is one stream whose pre-skip and end trim give back exactly the input length', async () => {
    const path = await encode('opus', seekable);
    expect(decode(path, 24_000).length / 2).toBe(inputSamples);
    const info = run('opusinfo', [path]);
    expect(info.output).not.toMatch(/WARNING|ERROR/);
    expect(info.output).toMatch(/Original sample rate: 24000 Hz/);
  });

  test('mp3 at 64 kb/s: sample-exact on a file (LAME gapless tag), whole on a pipe', async () => {
    const path = await encode('mp3', seekable);
    const samples = decode(path).length / 2;
    if (seekable) {
      // The Info frame's LAME tag tells decoders the encoder's delay and padding, so they give
      // back exactly the input: ffmpeg and mpg123 alike.
      expect(samples).toBe(inputSamples);
    } else {
      // A pipe cannot be patched: no tag, so the delay and the last frame's padding remain.
      expect(samples).toBeGreaterThanOrEqual(inputSamples);
      expect(samples - inputSamples).toBeLessThan(576 * 2 + 1105);
    }
    expect(run('mpg123', ['-q', '-t', path]).output).not.toMatch(/error|warning/i);
  });
});

test('aac is never made here, and says why', async () => {
  expect(() => planFormats('aac', ['mp3', 'pcm'], 'OpenRouter')).toThrow(/cannot produce aac/);
});
