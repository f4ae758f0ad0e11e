import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AudioFormat } from '../../src/audio/formats.js';
import type { AudioJoiner } from '../../src/audio/joiner.js';

/**
 * What the timeline and pause tests share: chunks that can be found again in the joined output
 * (chirps, whose frequency never repeats, faded in and out as speech starts and ends quietly), a
 * join that records every piece's span as the timeline would, and ffmpeg as the judge.
 */

const ENCODERS: Record<string, string[]> = {
  mp3: ['-c:a', 'libmp3lame', '-b:a', '48k', '-f', 'mp3'],
  opus: ['-c:a', 'libopus', '-b:a', '32k', '-f', 'ogg'],
  flac: ['-c:a', 'flac', '-f', 'flac'],
  aac: ['-c:a', 'aac', '-b:a', '48k', '-f', 'adts'],
  wav: ['-c:a', 'pcm_s16le', '-f', 'wav'],
};

export const fileName = (format: AudioFormat, name: string): string => `${name}.${format === 'opus' ? 'ogg' : format}`;

const chirpExpression = (seconds: number, hz: number): string =>
  `0.4*sin(2*PI*(${hz}*t+150*t*t))*min(1\\,min(t\\,${seconds}-t)/0.05)`;

/** A faded chirp from `hz` upwards, encoded by ffmpeg as a provider would send one chunk. */
export function chirpChunk(dir: string, format: AudioFormat, o: { seconds: number; hz: number; rate?: number; channels?: number }): Buffer {
  const rate = o.rate ?? 24_000;
  const channels = o.channels ?? 1;
  const out = join(dir, fileName(format, `chirp-${o.hz}-${o.seconds}-${rate}-${channels}`));
  // Made once per test file: ffmpeg's start-up is most of a test's time on a busy machine.
  if (!existsSync(out)) {
    const expr = Array.from({ length: channels }, (_, c) => chirpExpression(o.seconds, o.hz + 100 * c)).join('|');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `aevalsrc=${expr}:s=${rate}:d=${o.seconds}`, ...ENCODERS[format]!, out]);
  }
  return readFileSync(out);
}

/** The same faded chirp as 24 kHz mono s16le, as a pcm-only server would send it. */
export function chirpPcm(seconds: number, hz: number): Buffer {
  const n = Math.round(seconds * 24_000);
  const pcm = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) {
    const t = i / 24_000;
    const fade = Math.min(1, Math.min(t, seconds - t) / 0.05);
    pcm.writeInt16LE(Math.round(0.4 * 32_767 * fade * Math.sin(2 * Math.PI * (hz * t + 150 * t * t))), i * 2);
  }
  return pcm;
}

export type Step = { chunk: Buffer } | { pause: number };
export interface Span {
  kind: 'chunk' | 'pause';
  start: number;
  end: number;
}

/**
 * Feeds the steps in `piece`-byte reads and records each one's span as a timeline would: a chunk
 * from chunkStart() to position() after its endChunk(), a pause from the position before it to the
 * position after it (a leading pause, made before the stream is known, ends where chunk 1 starts).
 * Writes the output, patched when `seekable`, and returns its path, the spans and the final position.
 */
export function joinSteps(joiner: AudioJoiner, steps: Step[], o: { dir: string; name: string; format: AudioFormat; seekable: boolean; piece?: number }) {
  const out: Uint8Array[] = [];
  const spans: Span[] = [];
  const piece = o.piece ?? 4096;
  const now = (): number | undefined => joiner.position()?.samples;
  for (const step of steps) {
    if ('pause' in step) {
      const start = now();
      out.push(...joiner.silence(step.pause));
      spans.push({ kind: 'pause', start: start ?? NaN, end: now() ?? NaN });
      continue;
    }
    for (let at = 0; at < step.chunk.length; at += piece) out.push(...joiner.push(step.chunk.subarray(at, at + piece)));
    out.push(...joiner.endChunk());
    const start = joiner.chunkStart()!.samples;
    for (const s of spans) {
      if (Number.isNaN(s.start)) s.start = 0;
      if (Number.isNaN(s.end)) s.end = start;
    }
    spans.push({ kind: 'chunk', start, end: now()! });
  }
  const end = joiner.finish();
  out.push(...end.tail);
  const file = Buffer.concat(out.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)));
  if (o.seekable) for (const p of end.patches) Buffer.from(p.bytes).copy(file, p.offset);
  const path = join(o.dir, fileName(o.format, o.name));
  writeFileSync(path, file);
  return { path, spans, position: joiner.position()! };
}

/**
 * Notes ffmpeg prints at warning level about containers that state no length or layout, whatever
 * their content: ADTS, raw pcm, and mp3 or wav written to a pipe carry no duration ("estimating
 * from bitrate"), and a plain WAV header has no channel mask ("guessed channel layout").
 */
const CONTAINER_NOTES = [/Estimating duration from bitrate, this may be inaccurate/, /Guessed Channel Layout for Input Stream/];

export interface Decoded {
  samples: Int16Array;
  channels: number;
  /** What ffmpeg said at warning level or above, less the container notes. */
  warnings: string[];
}

/**
 * Decodes with ffmpeg to s16le at the file's own rate, every channel kept: raw 24 kHz pcm when
 * `raw`, and through stdin when `pipe` (a stream written to a pipe is read as one).
 */
export function decodeAll(path: string, o: { channels?: number; raw?: boolean; pipe?: boolean } = {}): Decoded {
  const channels = o.channels ?? 1;
  const format = o.raw ? ['-f', 's16le', '-ar', '24000', '-ac', '1'] : [];
  const args = ['-v', 'warning', ...format, '-i', o.pipe ? 'pipe:0' : path, '-f', 's16le', '-ac', String(channels), '-'];
  const r = spawnSync('ffmpeg', args, { maxBuffer: 1 << 28, ...(o.pipe ? { input: readFileSync(path) } : {}) });
  const warnings = r.stderr.toString().split('\n').filter((l) => l.trim() !== '' && !CONTAINER_NOTES.some((n) => n.test(l)));
  if (r.status !== 0) throw new Error(`ffmpeg failed on ${path}: ${r.stderr.toString()}`);
  const bytes = r.stdout;
  return { samples: new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2), channels, warnings };
}

/** Samples per channel of a decode. */
export const frames = (d: Decoded): number => d.samples.length / d.channels;

/**
 * Where `part` (the first channel of a chunk decoded on its own) sits in `whole`, searched within
 * `radius` of `around`: the shift with the least squared difference over 8000 samples of full
 * amplitude. `step` 2 compares a 24 kHz part against a 48 kHz whole.
 */
export function findLag(whole: Decoded, part: Int16Array, o: { around: number; radius: number; partChannels?: number; step?: number }): number {
  const step = o.step ?? 1;
  const pc = o.partChannels ?? 1;
  const from = 2400;
  const length = Math.min(8000, Math.floor(part.length / pc) - 2 * from);
  let best = NaN;
  let least = Infinity;
  for (let lag = Math.max(0, o.around - o.radius); lag <= o.around + o.radius; lag++) {
    let error = 0;
    for (let i = from; i < from + length && error < least; i++) {
      const d = (whole.samples[(lag + i * step) * whole.channels] ?? 0) - part[i * pc]!;
      error += d * d;
    }
    if (error < least) {
      least = error;
      best = lag;
    }
  }
  return best;
}

/** Root mean square of samples per channel [from, to), every channel included. */
export function rms(d: Decoded, from: number, to: number): number {
  let sum = 0;
  for (let i = from * d.channels; i < to * d.channels; i++) sum += d.samples[i]! ** 2;
  return Math.sqrt(sum / Math.max(1, (to - from) * d.channels));
}

/**
 * Whether two byte strings are equal, and where they first differ: vitest's toEqual walks a Buffer
 * element by element (seconds for a second of audio on a busy machine).
 */
export function firstDifference(actual: Uint8Array, expected: Uint8Array): string {
  if (Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(expected)) return 'none';
  let at = 0;
  while (at < actual.length && at < expected.length && actual[at] === expected[at]) at++;
  return `at byte ${at} of ${actual.length} (expected ${expected.length})`;
}

export function run(tool: string, args: string[]): { status: number; stdout: Buffer; output: string } {
  const r = spawnSync(tool, args, { maxBuffer: 1 << 28 });
  return { status: r.status ?? 1, stdout: r.stdout, output: `${r.stdout.length < 10_000 ? r.stdout.toString() : ''}${r.stderr.toString()}` };
}
