import { UsageError } from '../errors.js';

/** A cue with its time in the output, ready to be written. */
export interface TimedCue {
  /** From 1, in output order. */
  number: number;
  /** Seconds of the output as a player decodes it. */
  start: number;
  end: number;
  lines: string[];
  /** UTF-16 offsets into the input (the source file, before Markdown or SSML was read). */
  source: { start: number; end: number };
  /** The request that spoke it, from 0. */
  request: number;
}

/** What the JSON gives besides the cues: each request's span, the marks and chapters. */
export interface TimelineSummary {
  requests: { index: number; start: number; end: number; source: { start: number; end: number }; voice: string }[];
  marks: { name: string; time: number }[];
  chapters: { index: number; title: string; start: number }[];
  duration: number;
}

/** A subtitle format written cue by cue, so a book's subtitles never sit in memory whole. */
export interface SubtitleFormat {
  header(): string;
  cue(cue: TimedCue): string;
  footer(summary: TimelineSummary): string;
}

const SUBTITLE_EXTENSIONS = ['srt', 'vtt', 'json'] as const;
export type SubtitleKind = (typeof SUBTITLE_EXTENSIONS)[number];

/** The format a subtitle path names by its extension; anything else is refused before any request. */
export function subtitleKind(path: string): SubtitleKind {
  const ext = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  const kind = SUBTITLE_EXTENSIONS.find((k) => k === ext);
  if (!kind) throw new UsageError(`--subtitles ${path}: the name must end in .srt, .vtt or .json`, { hint: 'e.g. --subtitles speech.srt' });
  return kind;
}

/** For a pipe or device, whose name may say nothing: its extension if it has one, else SRT. */
export function subtitleKindOrSrt(path: string): SubtitleKind {
  const ext = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  return SUBTITLE_EXTENSIONS.find((k) => k === ext) ?? 'srt';
}

export function subtitleFormat(kind: SubtitleKind): SubtitleFormat {
  return kind === 'srt' ? srt : kind === 'vtt' ? vtt : json();
}

/** HH:MM:SS and milliseconds, joined by `separator` (a comma in SRT, a dot in WebVTT). */
export function timestamp(seconds: number, separator: ',' | '.'): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}${separator}${pad(ms % 1000, 3)}`;
}

const srt: SubtitleFormat = {
  header: () => '',
  cue: (c) => `${c.number}\n${timestamp(c.start, ',')} --> ${timestamp(c.end, ',')}\n${c.lines.join('\n')}\n\n`,
  footer: () => '',
};

/** WebVTT cue text is markup: &, < and > are escaped (which also keeps "-->" out of it). */
const escapeVtt = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const vtt: SubtitleFormat = {
  header: () => 'WEBVTT\n\n',
  cue: (c) => `${c.number}\n${timestamp(c.start, '.')} --> ${timestamp(c.end, '.')}\n${c.lines.map(escapeVtt).join('\n')}\n\n`,
  footer: () => '',
};

const ms = (seconds: number): number => Math.round(seconds * 1000) / 1000;

function json(): SubtitleFormat {
  let first = true;
  return {
    header: () => '{"cues":[',
    cue: (c) => {
      const entry = JSON.stringify({ start: ms(c.start), end: ms(c.end), text: c.lines.join(' '), lines: c.lines, source: c.source, request: c.request });
      const sep = first ? '\n' : ',\n';
      first = false;
      return `${sep}${entry}`;
    },
    footer: (s) =>
      `\n],\n"requests":${JSON.stringify(s.requests.map((r) => ({ ...r, start: ms(r.start), end: ms(r.end) })))},\n` +
      `"marks":${JSON.stringify(s.marks.map((m) => ({ ...m, time: ms(m.time) })))},\n` +
      `"chapters":${JSON.stringify(s.chapters.map((c) => ({ ...c, start: ms(c.start) })))},\n"duration":${ms(s.duration)}}\n`,
  };
}
