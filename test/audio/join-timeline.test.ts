import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createJoiner, planFormats } from '../../src/audio/format-plan.js';
import type { AudioFormat } from '../../src/audio/formats.js';
import { requireTool } from '../helpers/audio-tools.js';
import { chirpChunk, chirpPcm, decodeAll, fileName, findLag, frames, joinSteps, run, type Span } from './join-helpers.js';

// Each test runs ffmpeg a handful of times, which takes seconds apiece on a busy 2-core machine.
vi.setConfig({ testTimeout: 60_000 });

let dir: string;
beforeAll(() => {
  requireTool('ffmpeg');
  dir = mkdtempSync(join(tmpdir(), 'tts-timeline-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SHAPES = [
  { seconds: 1.3, hz: 300 },
  { seconds: 2.1, hz: 500 },
  { seconds: 0.7, hz: 800 },
];

const chunkSpans = (spans: Span[]) => spans.filter((s) => s.kind === 'chunk');

/** The pre-skip in a chunk's OpusHead (the first page holds only it: header 27 bytes + 1 lacing value). */
function preSkip(chunk: Buffer): number {
  expect(chunk.toString('latin1', 28, 36)).toBe('OpusHead');
  return chunk.readUInt16LE(38);
}

/**
 * Where a provider's chunk's audio (as ffmpeg decodes the chunk on its own) starts inside its span,
 * as the format has it: mp3 keeps each chunk's priming, which its LAME tag would have trimmed on its
 * own (ffmpeg's LAME: 576 samples of encoder delay, plus 529 of decoder delay); one Ogg Opus stream
 * has one pre-skip, so every chunk after the first keeps its own; ADTS trims nothing even alone;
 * flac and wav have no priming.
 */
function audioOffset(format: AudioFormat, chunk: Buffer, index: number): number {
  if (format === 'mp3') return 576 + 529;
  if (format === 'opus') return index === 0 ? 0 : preSkip(chunk);
  return 0;
}

describe.each([
  { format: 'mp3', seekable: true },
  { format: 'mp3', seekable: false },
  { format: 'opus', seekable: true },
  { format: 'aac', seekable: false },
  { format: 'flac', seekable: true },
  { format: 'wav', seekable: true },
] as const)('joining $format from a provider (seekable: $seekable)', ({ format, seekable }) => {
  test('position() ends at the decoded length, and each chunk starts where its audio does', async () => {
    const chunks = SHAPES.map((s) => chirpChunk(dir, format, s));
    const joiner = await createJoiner({ output: format, wire: format }, { seekable });
    const joined = joinSteps(joiner, chunks.map((chunk) => ({ chunk })), { dir, name: `timeline-${seekable}`, format, seekable, piece: 999 });
    const decoded = decodeAll(joined.path);
    expect(decoded.warnings).toEqual([]);
    expect(joined.position.samples).toBe(frames(decoded));
    expect(joined.position.sampleRate).toBe(format === 'opus' ? 48_000 : 24_000);
    const spans = chunkSpans(joined.spans);
    expect(spans[0]!.start).toBe(0);
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.start).toBe(spans[i - 1]!.end);
    expect(spans.at(-1)!.end).toBe(joined.position.samples);
    chunks.forEach((chunk, i) => {
      const alone = join(dir, fileName(format, `alone-${i}`));
      writeFileSync(alone, chunk);
      const expected = spans[i]!.start + audioOffset(format, chunk, i);
      expect(findLag(decoded, decodeAll(alone).samples, { around: expected, radius: 1500 })).toBe(expected);
    });
  });
});

test('mp3 from a provider: mpg123 decodes what ffmpeg does on a pipe, and 529 samples less on a file', async () => {
  const chunks = SHAPES.map((s) => chirpChunk(dir, 'mp3', s));
  for (const seekable of [false, true]) {
    const joined = joinSteps(await createJoiner({ output: 'mp3', wire: 'mp3' }, { seekable }), chunks.map((chunk) => ({ chunk })), { dir, name: `mpg123-${seekable}`, format: 'mp3', seekable });
    // With an Info frame mpg123 skips the decoder's 529-sample delay at the start; ffmpeg does not.
    expect(run('mpg123', ['-q', '-s', joined.path]).stdout.length / 2).toBe(joined.position.samples - (seekable ? 529 : 0));
  }
});

test('Ogg Opus from a provider: opusdec decodes exactly position() samples at 48 kHz', async () => {
  const chunks = SHAPES.map((s) => chirpChunk(dir, 'opus', s));
  const joined = joinSteps(await createJoiner({ output: 'opus', wire: 'opus' }, { seekable: false }), chunks.map((chunk) => ({ chunk })), { dir, name: 'opusdec', format: 'opus', seekable: false });
  const raw = run('opusdec', ['--quiet', '--rate', '48000', joined.path, '-']);
  expect(raw.status).toBe(0);
  expect(raw.stdout.length / 2).toBe(joined.position.samples);
});

test('Ogg Opus whose packets continue across pages: every packet is counted, by its own TOC', async () => {
  // 256 kb/s on 5-second pages: more than 255 lacing values a page, so packets are split.
  const path = join(dir, 'split-packets.ogg');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2:sample_rate=48000', '-c:a', 'libopus', '-b:a', '256k', '-page_duration', '5000000', '-f', 'ogg', path]);
  const chunk = readFileSync(path);
  const joined = joinSteps(await createJoiner({ output: 'opus', wire: 'opus' }, { seekable: false }), [{ chunk }, { chunk }], { dir, name: 'split-joined', format: 'opus', seekable: false });
  const decoded = decodeAll(joined.path);
  expect(decoded.warnings).toEqual([]);
  expect(joined.position.samples).toBe(frames(decoded));
});

describe.each([
  { format: 'pcm', seekable: false },
  { format: 'wav', seekable: true },
  { format: 'flac', seekable: true },
  { format: 'opus', seekable: false },
  { format: 'mp3', seekable: true },
  { format: 'mp3', seekable: false },
] as const)('encoding $format here from pcm (seekable: $seekable)', ({ format, seekable }) => {
  test('each chunk starts exactly where its first sample is decoded, and position() ends at the decoded length', async () => {
    const pcms = SHAPES.map((s) => chirpPcm(s.seconds, s.hz));
    const joiner = await createJoiner(planFormats(format, ['pcm'], 'a pcm-only server'), { seekable });
    // Before any chunk, position() already stands where the first sample will land.
    const first = joiner.position()!;
    const joined = joinSteps(joiner, pcms.map((chunk) => ({ chunk })), { dir, name: `local-${seekable}`, format, seekable, piece: 1001 });
    const decoded = decodeAll(joined.path, { raw: format === 'pcm' });
    expect(decoded.warnings).toEqual([]);
    expect(joined.position.samples).toBe(frames(decoded));
    const spans = chunkSpans(joined.spans);
    expect(spans[0]!.start).toBe(first.samples);
    // Opus decodes at 48 kHz: two output samples per 24 kHz input sample.
    const step = format === 'opus' ? 2 : 1;
    pcms.forEach((pcm, i) => {
      const input = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
      expect(spans[i]!.end - spans[i]!.start).toBe(input.length * step);
      expect(findLag(decoded, input, { around: spans[i]!.start, radius: 1500, step })).toBe(spans[i]!.start);
    });
  });
});
