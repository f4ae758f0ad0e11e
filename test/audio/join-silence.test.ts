import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createJoiner, planFormats } from '../../src/audio/format-plan.js';
import type { AudioFormat } from '../../src/audio/formats.js';
import { opusSilencePacket } from '../../src/audio/opus-joiner.js';
import { probe, requireTool } from '../helpers/audio-tools.js';
import { chirpChunk, chirpPcm, decodeAll, fileName, findLag, frames, joinSteps, rms, run, type Decoded, type Span, type Step } from './join-helpers.js';

// Each test runs ffmpeg a handful of times, which takes seconds apiece on a busy 2-core machine.
vi.setConfig({ testTimeout: 60_000 });

let dir: string;
beforeAll(() => {
  requireTool('ffmpeg');
  dir = mkdtempSync(join(tmpdir(), 'tts-pause-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A script that starts and ends with a pause, with a pause, an empty one and a short one between. */
const script = (a: Buffer, b: Buffer): Step[] => [{ pause: 500 }, { chunk: a }, { pause: 750 }, { pause: 0 }, { pause: 20 }, { chunk: b }, { pause: 750 }];

/**
 * What each pause of the script becomes, in output samples, per way of making it: samples at
 * 24 kHz (exact), whole mp3 frames of 576 samples, whole AAC frames of 1024, Opus at 48 kHz (a
 * leading pause exact, the others in 2.5 ms packets), and Opus made here (exact, at 48 kHz).
 */
const PAUSES = {
  samples: [12_000, 18_000, 0, 480, 18_000],
  mp3Frames: [21 * 576, 31 * 576, 0, 576, 31 * 576],
  aacFrames: [12 * 1024, 18 * 1024, 0, 0, 18 * 1024],
  opus: [24_000, 36_000, 0, 960, 36_000],
};

/**
 * The pause regions must be silence: digital zeros in a lossless format; in a lossy one below
 * -78 dBFS (RMS 4), after the tail of the chunk before, since a codec's last frame of a chunk rings
 * on into the next frame (at most one frame: 576 samples for mp3, 1024 for AAC, 960 for Opus), and
 * a following chunk's first frame may spread a little pre-echo back. Each chunk's audio must be
 * intact, found whole where its span says (plus the format's priming, see join-timeline.test.ts).
 */
function expectPausesSilent(decoded: Decoded, spans: Span[], ringOut: number): void {
  let previous: Span | undefined;
  for (const span of spans) {
    if (span.kind === 'pause' && span.end > span.start) {
      const from = previous?.kind === 'chunk' ? Math.min(span.end, span.start + ringOut) : span.start;
      const loudness = rms(decoded, from, span.end);
      if (ringOut === 0) expect(loudness, `pause [${span.start}, ${span.end})`).toBe(0);
      else expect(loudness, `pause [${span.start}, ${span.end})`).toBeLessThan(4);
    }
    previous = span;
  }
}

function expectChunksWhole(decoded: Decoded, spans: Span[], chunks: Int16Array[], o: { offsets: number[]; step?: number; channels?: number }): void {
  const chunkSpans = spans.filter((s) => s.kind === 'chunk');
  chunks.forEach((part, i) => {
    const expected = chunkSpans[i]!.start + o.offsets[i]!;
    const found = findLag(decoded, part, { around: expected, radius: 1500, step: o.step ?? 1, partChannels: o.channels ?? 1 });
    expect(found).toBe(expected);
    // Loud from end to end: 0.4 of full scale, faded over 50 ms at each end.
    expect(rms(decoded, chunkSpans[i]!.start + o.offsets[i]! + 2400, chunkSpans[i]!.end - 2400)).toBeGreaterThan(8000);
  });
}

const pauseLengths = (spans: Span[]) => spans.filter((s) => s.kind === 'pause').map((s) => s.end - s.start);

describe.each([
  { format: 'mp3', seekable: true, piece: 777, pauses: PAUSES.mp3Frames, ringOut: 576, offset: 1105 },
  { format: 'mp3', seekable: false, piece: 1, pauses: PAUSES.mp3Frames, ringOut: 576, offset: 1105 },
  { format: 'aac', seekable: false, piece: 1, pauses: PAUSES.aacFrames, ringOut: 1024, offset: 0 },
  // After a leading pause chunk 1's priming stays in, like every later chunk's (libopus: 312).
  { format: 'opus', seekable: false, piece: 1, pauses: PAUSES.opus, ringOut: 960, offset: 312 },
  { format: 'opus', seekable: true, piece: 777, pauses: PAUSES.opus, ringOut: 960, offset: 312 },
  { format: 'flac', seekable: true, piece: 777, pauses: PAUSES.samples, ringOut: 0, offset: 0 },
  { format: 'flac', seekable: false, piece: 1, pauses: PAUSES.samples, ringOut: 0, offset: 0 },
  { format: 'wav', seekable: true, piece: 1, pauses: PAUSES.samples, ringOut: 0, offset: 0 },
] as const)('pauses in $format from a provider ($piece-byte reads, seekable: $seekable)', ({ format, seekable, piece, pauses, ringOut, offset }) => {
  test('are silence of the stated length where the script puts them, in one valid file', async () => {
    const [a, b] = [chirpChunk(dir, format, { seconds: 1.3, hz: 300 }), chirpChunk(dir, format, { seconds: 1.1, hz: 500 })];
    const joiner = await createJoiner({ output: format, wire: format }, { seekable });
    const joined = joinSteps(joiner, script(a!, b!), { dir, name: `pauses-${seekable}`, format, seekable, piece });
    const decoded = decodeAll(joined.path);
    expect(decoded.warnings).toEqual([]);
    expect(pauseLengths(joined.spans)).toEqual(pauses);
    // The served audio plus the pauses, nothing lost or added.
    const spans = joined.spans;
    expect(spans.reduce((sum, s) => sum + s.end - s.start, 0)).toBe(frames(decoded));
    expect(joined.position.samples).toBe(frames(decoded));
    expectStatedDuration(format, joined.path, { seekable, samples: frames(decoded) });
    expectPausesSilent(decoded, spans, ringOut);
    const alone = [a!, b!].map((chunk, i) => {
      const path = join(dir, fileName(format, `pause-alone-${i}`));
      writeFileSync(path, chunk);
      return decodeAll(path).samples;
    });
    expectChunksWhole(decoded, spans, alone, { offsets: [offset, offset] });
    checkWithReferenceTools(format, joined.path, { samples: frames(decoded), mpg123Skips: seekable ? 529 : 0 });
  });
});

/**
 * Where the container states a length, it is the decoded length: the Info frame of an mp3 file,
 * a flac file's STREAMINFO, a WAV file's sizes, and Ogg's last granule (which counts the pre-skip).
 * ADTS and anything written to a pipe state none.
 */
function expectStatedDuration(format: AudioFormat, path: string, o: { seekable: boolean; samples: number }): void {
  if (format === 'opus') {
    const preSkip = readFileSync(path).readUInt16LE(38);
    expect(Math.round(probe(path).duration * 48_000) - preSkip).toBe(o.samples);
  } else if (o.seekable && format !== 'aac') {
    expect(probe(path).duration).toBeCloseTo(o.samples / 24_000, 4);
  }
}

/**
 * The format's own reference tools agree that the file is whole and clean. mpg123 decodes mp3 as
 * ffmpeg does, except that an Info frame without a LAME tag (a provider's frames joined into a
 * file) makes it skip the 529-sample decoder delay at the start: `mpg123Skips`.
 */
function checkWithReferenceTools(format: AudioFormat, path: string, o: { samples: number; channels?: number; mpg123Skips?: number }): void {
  const channels = o.channels ?? 1;
  if (format === 'flac') expect(run('flac', ['-s', '-t', path]).status).toBe(0);
  if (format === 'opus') {
    const info = run('opusinfo', [path]);
    expect(info.output).not.toMatch(/WARNING|ERROR/);
    expect(info.output.match(/New logical stream/g)).toHaveLength(1);
    expect(run('opusdec', ['--quiet', '--rate', '48000', path, '-']).stdout.length / 2 / channels).toBe(o.samples);
  }
  if (format === 'mp3') {
    expect(run('mpg123', ['-q', '-t', path]).output).not.toMatch(/error|warning|illegal/i);
    expect(run('mpg123', ['-q', '-s', path]).stdout.length / 2 / channels).toBe(o.samples - (o.mpg123Skips ?? 0));
  }
}

describe.each([
  { format: 'pcm', seekable: false, rate: 24_000 },
  // (A WAV on a pipe states no length, and ffmpeg calls its last short read corrupt, so a file.)
  { format: 'wav', seekable: true, rate: 24_000 },
  { format: 'flac', seekable: true, rate: 24_000 },
  { format: 'opus', seekable: true, rate: 48_000 },
  { format: 'mp3', seekable: true, rate: 24_000 },
  { format: 'mp3', seekable: false, rate: 24_000 },
] as const)('pauses in $format made here from pcm (seekable: $seekable)', ({ format, seekable, rate }) => {
  test('are exact to the sample, through the encoder', async () => {
    const [a, b] = [chirpPcm(1.3, 300), chirpPcm(1.1, 500)];
    const joiner = await createJoiner(planFormats(format, ['pcm'], 'a pcm-only server'), { seekable });
    const joined = joinSteps(joiner, script(a, b), { dir, name: `local-pauses-${seekable}`, format, seekable, piece: 1001 });
    // What was written to a pipe is read from one.
    const decoded = decodeAll(joined.path, { raw: format === 'pcm', pipe: !seekable });
    expect(decoded.warnings).toEqual([]);
    const step = rate / 24_000;
    expect(pauseLengths(joined.spans)).toEqual(PAUSES.samples.map((n) => n * step));
    expect(joined.position.samples).toBe(frames(decoded));
    expectPausesSilent(decoded, joined.spans, format === 'mp3' ? 576 : format === 'opus' ? 960 : 0);
    const inputs = [a, b].map((pcm) => new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2));
    expectChunksWhole(decoded, joined.spans, inputs, { offsets: [0, 0], step });
    checkWithReferenceTools(format, joined.path, { samples: frames(decoded) });
  });
});

describe.each([
  { format: 'mp3', rate: 48_000, frame: 1152 },
  { format: 'aac', rate: 48_000, frame: 1024 },
  { format: 'opus', rate: 48_000, frame: 120 },
  { format: 'flac', rate: 44_100, frame: 1 },
] as const)('a pause in stereo $format at $rate Hz', ({ format, rate, frame }) => {
  test('matches the stream: both channels silent, the file clean', async () => {
    const [a, b] = [chirpChunk(dir, format, { seconds: 0.8, hz: 300, rate, channels: 2 }), chirpChunk(dir, format, { seconds: 0.8, hz: 600, rate, channels: 2 })];
    const joiner = await createJoiner({ output: format, wire: format }, { seekable: true });
    const joined = joinSteps(joiner, [{ chunk: a! }, { pause: 750 }, { chunk: b! }], { dir, name: `stereo-${rate}`, format, seekable: true });
    const decoded = decodeAll(joined.path, { channels: 2 });
    expect(decoded.warnings).toEqual([]);
    expect(joined.position.samples).toBe(frames(decoded));
    const pause = joined.spans[1]!;
    expect(pause.end - pause.start).toBe(Math.round((0.75 * rate) / frame) * frame);
    expectPausesSilent(decoded, joined.spans, format === 'mp3' ? 1152 : format === 'aac' ? 1024 : format === 'opus' ? 960 : 0);
    checkWithReferenceTools(format, joined.path, { samples: frames(decoded), channels: 2, mpg123Skips: 529 });
  });
});

test('Opus silence packets are what libopus encodes for zeros: 3 bytes, never empty (DTX)', () => {
  const OpusScript = createRequire(import.meta.url)('opusscript') as {
    new (rate: number, channels: number, application: number): { encode(pcm: Buffer, frameSize: number): Buffer; delete(): void };
  };
  for (const channels of [1, 2]) {
    const encoder = new OpusScript(48_000, channels, 2051);
    for (const samples of [120, 240, 480, 960]) {
      const packet = opusSilencePacket(samples, channels);
      expect(packet).toHaveLength(3);
      expect(packet).toEqual(encoder.encode(Buffer.alloc(samples * 2 * channels), samples));
    }
    encoder.delete();
  }
});

describe('what a pause cannot be', () => {
  test.each(['mp3', 'aac', 'opus', 'flac', 'wav'] as const)('%s: inside a chunk, or negative', async (format) => {
    const joiner = await createJoiner({ output: format, wire: format }, { seekable: false });
    expect(() => joiner.silence(-1)).toThrow(RangeError);
    expect(() => joiner.silence(Number.NaN)).toThrow(RangeError);
    joiner.push(chirpChunk(dir, format, { seconds: 0.3, hz: 300 }).subarray(0, 100));
    expect(() => joiner.silence(100)).toThrow(/between chunks/);
  });

  test('a run that is only a pause is that much silence', async () => {
    const joiner = await createJoiner(planFormats('wav', ['pcm'], 'p'), { seekable: true });
    const joined = joinSteps(joiner, [{ pause: 250 }], { dir, name: 'only-pause', format: 'wav', seekable: true });
    const decoded = decodeAll(joined.path);
    expect(frames(decoded)).toBe(6000);
    expect(rms(decoded, 0, 6000)).toBe(0);
  });
});
