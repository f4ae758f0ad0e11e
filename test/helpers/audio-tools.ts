import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * ffmpeg, ffprobe, flac and opusinfo make real encoded chunks and check joined output in tests.
 * They are test tools only (the product never runs them); .ci/run installs them.
 */
export function requireTool(name: string): void {
  if (spawnSync(name, ['-version'], { stdio: 'ignore' }).error) {
    throw new Error(`${name} is needed by this test: apt-get install ffmpeg flac opus-tools flite sox pandoc (as .ci/run does)`);
  }
}

const ENCODERS: Record<string, string[]> = {
  mp3: ['-c:a', 'libmp3lame', '-b:a', '48k', '-f', 'mp3'],
  opus: ['-c:a', 'libopus', '-b:a', '32k', '-f', 'ogg'],
  flac: ['-c:a', 'flac', '-f', 'flac'],
  aac: ['-c:a', 'aac', '-b:a', '48k', '-f', 'adts'],
  wav: ['-c:a', 'pcm_s16le', '-f', 'wav'],
};

/** A tone of `seconds` encoded as `format`, as a speech server would send one chunk. */
export function encodeTone(dir: string, format: string, seconds: number, hz: number, sampleRate = 24_000): Buffer {
  const out = join(dir, `tone-${hz}-${seconds}-${sampleRate}.${format}`);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=${hz}:duration=${seconds}:sample_rate=${sampleRate}`, '-ac', '1', ...ENCODERS[format]!, out]);
  return readFileSync(out);
}

export interface Probe {
  duration: number;
  sampleRate: number;
  channels: number;
}

export function probe(path: string): Probe {
  const text = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=sample_rate,channels:format=duration', '-of', 'json', path], { encoding: 'utf8' });
  const json = JSON.parse(text) as { streams: { sample_rate: string; channels: number }[]; format: { duration: string } };
  return { duration: Number(json.format.duration), sampleRate: Number(json.streams[0]!.sample_rate), channels: json.streams[0]!.channels };
}

/** Decodes to s16le mono; throws with ffmpeg's complaints if it reports any decoding error. */
export function decode(path: string, sampleRate?: number): Buffer {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', path, ...(sampleRate ? ['-ar', String(sampleRate)] : []), '-f', 's16le', '-ac', '1', '-'], { maxBuffer: 1 << 28 });
  const errors = r.stderr.toString().trim();
  if (r.status !== 0 || errors !== '') throw new Error(`ffmpeg could not decode ${path} cleanly: ${errors}`);
  return r.stdout;
}

export function run(tool: string, args: string[]): { status: number; output: string } {
  const r = spawnSync(tool, args, { encoding: 'utf8' });
  return { status: r.status ?? 1, output: `${r.stdout}${r.stderr}` };
}
