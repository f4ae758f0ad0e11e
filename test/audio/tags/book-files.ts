import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Patch } from '../../../src/audio/joiner.js';
import { coverImage, type CoverImage } from '../../../src/audio/tags/cover-image.js';

/** What ffprobe reads back from a tagged file: the view a player's library gets. */
export interface ProbedBook {
  /** The container's stated length (for MP4, the movie's, in milliseconds). */
  duration: number;
  /** The audio stream's stated length. */
  audioDuration: number;
  tags: Record<string, string>;
  chapters: { start: number; end: number; title: string | undefined }[];
  /** Streams marked as an attached picture (the cover), with their size. */
  pictures: { codec: string; width: number; height: number }[];
}

interface FfprobeJson {
  format: { duration: string; tags?: Record<string, string> };
  chapters: { start_time: string; end_time: string; tags?: { title?: string } }[];
  streams: { codec_name: string; codec_type: string; duration?: string; width?: number; height?: number; disposition?: { attached_pic?: number }; tags?: Record<string, string> }[];
}

export function probeBook(path: string): ProbedBook {
  const text = execFileSync('ffprobe', ['-v', 'error', '-show_chapters', '-show_format', '-show_streams', '-of', 'json', path], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const json = JSON.parse(text) as FfprobeJson;
  // Ogg and FLAC keep their comments on the audio stream; ffprobe lists them there.
  const audio = json.streams.find((s) => s.codec_type === 'audio');
  const streamTags = audio?.tags ?? {};
  const tags = Object.fromEntries(Object.entries({ ...streamTags, ...json.format.tags }).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    duration: Number(json.format.duration),
    audioDuration: Number(audio?.duration),
    tags,
    chapters: json.chapters.map((c) => ({ start: Number(c.start_time), end: Number(c.end_time), title: c.tags?.title })),
    pictures: json.streams
      .filter((s) => s.disposition?.attached_pic === 1)
      .map((s) => ({ codec: s.codec_name, width: s.width ?? 0, height: s.height ?? 0 })),
  };
}

/** Writes the patches over the file's bytes, as the output sink does on a seekable file. */
export function applyPatches(file: Buffer, patches: readonly Patch[]): Buffer {
  for (const p of patches) {
    if (p.offset + p.bytes.length > file.length) throw new Error(`patch at ${p.offset} runs past the file (${file.length} bytes)`);
    file.set(p.bytes, p.offset);
  }
  return file;
}

/**
 * A real JPEG of about `kb` kB (ffmpeg's noise at top quality), and a small PNG: covers as a book
 * would bring them.
 */
export function makeCovers(dir: string, kb: number): { jpeg: CoverImage; png: CoverImage } {
  const side = Math.ceil(Math.sqrt(kb * 1024 / 0.7));
  const jpeg = join(dir, 'cover.jpg');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `nullsrc=s=${side}x${side},geq=random(1)*255:128:128`, '-frames:v', '1', '-q:v', '1', jpeg]);
  const png = join(dir, 'cover.png');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=blue:s=40x30', '-frames:v', '1', png]);
  return { jpeg: coverImage(readFileSync(jpeg)), png: coverImage(readFileSync(png)) };
}

/** Titles that break naive writers: Unicode in every plane, `=`, a newline, a very long one. */
export const ODD_TITLES = ['Chapitre é', '日本の話', 'Emoji 🎧📚', 'a=b=c', 'Two\nlines', 'x'.repeat(300)];

/** How ffprobe should show each odd title: on one line. */
export const ODD_TITLES_READ = ODD_TITLES.map((t) => t.replace('\n', ' '));

/** `count` chapter titles and evenly spread start times over `seconds`. */
export function evenChapters(count: number, seconds: number): { titles: string[]; starts: number[] } {
  const titles = Array.from({ length: count }, (_, i) => `Chapter ${i + 1}`);
  const starts = titles.map((_, i) => Math.round((i * seconds * 1000) / count) / 1000);
  return { titles, starts };
}

/**
 * mutagen (python3-mutagen), a second reader besides ffmpeg: it reads ID3's CTOC, which ffmpeg
 * ignores, and MP4's chpl the way audiobook apps built on it (Cozy) do. `script` sees the opened
 * file as `f` and prints JSON.
 */
export function mutagen(path: string, script: string): unknown {
  const program = `import json, sys, mutagen\nf = mutagen.File(sys.argv[1])\n${script}`;
  return JSON.parse(execFileSync(PYTHON, ['-c', program, path], { encoding: 'utf8' })) as unknown;
}

/** Debian's own Python, where python3-mutagen installs (a pyenv or venv python3 on PATH may lack it). */
const PYTHON = '/usr/bin/python3';

export function requireMutagen(): void {
  try {
    execFileSync(PYTHON, ['-c', 'import mutagen']);
  } catch {
    throw new Error('mutagen is needed by this test: apt-get install python3-mutagen (as .ci/run does)');
  }
}
