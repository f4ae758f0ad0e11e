import { statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { formatFromName, OUTPUT_FORMATS, type OutputFormat } from '../audio/formats.js';
import { RPM_RANGE } from '../config/config-keys.js';
import { UsageError } from '../errors.js';
import { subtitleKind } from '../subtitles/subtitle-formats.js';
import type { StreamFormat } from '../providers/provider-spec.js';
import type { ConfigReader } from '../config/config-file.js';

/** Flags as commander hands them over: strings, unchecked. */
export interface RawSpeakFlags {
  /** `-f a.md b.md`: commander hands several paths over as a list. */
  file?: string | string[];
  output?: string;
  format?: string;
  model?: string;
  voice?: string;
  speed?: string;
  instructions?: string;
  provider?: string;
  baseUrl?: string;
  streamFormat?: string;
  timeout?: string;
  concurrency?: string;
  retries?: string;
  rpm?: string;
  cache?: boolean;
  play?: boolean;
  quiet?: boolean;
  debug?: boolean;
  verbose?: boolean;
  dryRun?: boolean;
  json?: boolean;
  markdown?: boolean;
  subtitles?: string;
  cast?: string;
  lexicon?: string;
  chapters?: string;
  title?: string;
  author?: string;
}

/** A file (or device, pipe, descriptor), stdout, or a folder: one file per input or chapter. */
export type OutputTarget = { kind: 'file'; path: string } | { kind: 'stdout' } | { kind: 'folder'; path: string };

export interface SpeakOptions {
  /** The one input file, when there is exactly one. */
  file: string | undefined;
  /** Every input file, in order (`-f chapters/*.md`). */
  files: string[];
  /** Where the audio is written, if anywhere besides the speakers. */
  output: OutputTarget | undefined;
  play: boolean;
  format: OutputFormat;
  model: string | undefined;
  voice: string | undefined;
  speed: number | undefined;
  instructions: string | undefined;
  provider: string | undefined;
  baseUrl: string | undefined;
  streamFormat: StreamFormat;
  timeoutMs: number;
  concurrency: number;
  retries: number;
  /** Requests per minute at most (--rpm, or the config's rpm), on top of the provider's own limits. */
  rpm: number | undefined;
  cache: boolean;
  quiet: boolean;
  debug: boolean;
  verbose: boolean;
  dryRun: boolean;
  json: boolean;
  /** Read the text as Markdown: the words are spoken, not the markup (for the one input). */
  markdown: boolean;
  /** --markdown or --no-markdown, when given: else each file's extension decides. */
  markdownFlag: boolean | undefined;
  /**
   * Where subtitles timed to the speech go (.srt, .vtt or .json); into a folder, an extension alone
   * (`.srt`): each output's beside it.
   */
  subtitles: string | undefined;
  /** `NAME=voice,…`: the text is a dialogue spoken by this cast. */
  cast: string | undefined;
  /** A pronunciation lexicon applied before chunking. */
  lexicon: string | undefined;
  /** `3-7,9`: only these chapters of a book. */
  chapters: string | undefined;
  /** Override the book's own title and author in the tags. */
  title: string | undefined;
  author: string | undefined;
}

export const DEFAULT_TIMEOUT_SECONDS = 300;
export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_RETRIES = 4;

const configRpm = (config: ConfigReader): number | undefined => {
  const rpm = config.get('rpm');
  return typeof rpm === 'number' && rpm >= RPM_RANGE.min && rpm <= RPM_RANGE.max ? rpm : undefined;
};

/** The range a numeric flag takes, and whether it must be whole. */
interface NumberRange {
  min: number;
  max: number;
  integer?: boolean;
}

function number(flag: string, raw: string, { min, max, integer = false }: NumberRange): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new UsageError(`${flag} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}

/** A file read as Markdown unless --no-markdown says otherwise. */
export const isMarkdownFile = (path: string): boolean => /\.(md|markdown|mdx)$/i.test(path);

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);

/** What the process's stdout is: audio must not be written to a terminal, and is played instead. */
export interface Terminal {
  stdoutIsTTY: boolean;
}

/**
 * Where the audio goes: -o's file or stdout, and/or the speakers. With no -o: play when asked to,
 * or when stdout is a terminal (audio there would be noise); else the audio goes down the pipe.
 */
export function audioDestination(flags: Pick<RawSpeakFlags, 'output' | 'play'>, { stdoutIsTTY }: Terminal): { output: OutputTarget | undefined; play: boolean } {
  const play = flags.play ?? (flags.output === undefined && stdoutIsTTY);
  const output: OutputTarget | undefined =
    flags.output === '-' ? { kind: 'stdout' }
    : flags.output !== undefined && isFolder(flags.output) ? { kind: 'folder', path: flags.output }
    : flags.output !== undefined ? { kind: 'file', path: flags.output }
    : play || stdoutIsTTY ? undefined
    : { kind: 'stdout' };
  return { output, play };
}

/** `-o audio/` (a trailing slash) or an existing folder: one file per input or chapter goes in it. */
function isFolder(path: string): boolean {
  return /[/\\]$/.test(path) || (statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false);
}

/** Audio containers tts does not write. */
const NOT_WRITTEN = new Set(['mp4', 'aif', 'aiff', 'caf', 'mka', 'webm', 'wma']);
const WRITTEN_EXTENSIONS = '.mp3, .opus, .ogg, .aac, .m4a, .m4b, .flac, .wav or .pcm';

/**
 * The format from -F, else the output file's extension, else the config, else mp3; every name goes
 * through one normaliser (any case; ogg is opus). An extension that is not a format tts writes is
 * refused rather than filled with mp3 bytes, unless -F names the format; a clash is refused.
 */
function chooseFormat(flags: RawSpeakFlags, output: OutputTarget | undefined, config: ConfigReader): OutputFormat {
  const flagFormat = flags.format === undefined ? undefined : formatFromName(flags.format);
  if (flags.format !== undefined && !flagFormat) {
    throw new UsageError(`Unknown format "${flags.format}"`, { hint: `Formats: ${OUTPUT_FORMATS.join(', ')} (ogg means opus)` });
  }
  const extension = output?.kind === 'file' ? extname(output.path).slice(1).toLowerCase() : '';
  if (NOT_WRITTEN.has(extension)) {
    throw new UsageError(`Cannot write .${extension} files (-o ${flags.output})`, {
      hint: `Give the file another extension (${WRITTEN_EXTENSIONS}); .m4a holds AAC audio in MP4.`,
    });
  }
  const pathFormat = extension === '' ? undefined : formatFromName(extension);
  if (extension !== '' && !pathFormat && !flagFormat) {
    throw new UsageError(`.${extension} is not an audio format tts writes (-o ${flags.output})`, {
      hint: `Give the file an audio extension (${WRITTEN_EXTENSIONS}), or name the format with -F, e.g. -F mp3.`,
    });
  }
  if (flagFormat && pathFormat && flagFormat !== pathFormat) {
    throw new UsageError(`--format ${flagFormat} does not match the output file ${flags.output}, which names ${pathFormat}`, {
      hint: 'Drop --format, or give the file a matching extension.',
    });
  }
  const configFormat = text(config.get('format'));
  return flagFormat ?? pathFormat ?? (configFormat ? formatFromName(configFormat) : undefined) ?? 'mp3';
}

/** Checks every flag before anything is read or sent. */
export function parseSpeakOptions(flags: RawSpeakFlags, config: ConfigReader, { stdoutIsTTY }: Terminal): SpeakOptions {
  if (flags.output !== undefined && flags.output.trim() === '') throw new UsageError('--output needs a path, or - for stdout');
  const { output, play } = audioDestination(flags, { stdoutIsTTY });
  if (!output && !play && flags.dryRun !== true) {
    throw new UsageError('With --no-play, say where the audio goes', { hint: 'Give -o speech.mp3, or -o - to write it to stdout.' });
  }
  if (output?.kind === 'stdout' && stdoutIsTTY) {
    throw new UsageError('Not writing audio to a terminal', { hint: 'Give -o speech.mp3, pipe it (| mpv -), or drop -o - to play it.' });
  }
  const format = chooseFormat(flags, output, config);

  const streamFormat = flags.streamFormat ?? 'audio';
  if (streamFormat !== 'audio' && streamFormat !== 'sse') throw new UsageError(`--stream-format must be sse or audio, not "${streamFormat}"`);

  if (flags.instructions !== undefined && flags.instructions.trim() === '') throw new UsageError('--instructions cannot be empty');
  for (const [flag, value] of [['--model', flags.model], ['--voice', flags.voice], ['--provider', flags.provider], ['--base-url', flags.baseUrl]] as const) {
    if (value !== undefined && value.trim() === '') throw new UsageError(`${flag} cannot be empty`);
  }

  const files = flags.file === undefined ? [] : Array.isArray(flags.file) ? flags.file : [flags.file];
  if (files.length > 1 && files.includes('-')) throw new UsageError('stdin (-) can only be the one input, not one of several files');
  const subtitles = subtitlesPath(flags, { files, output });

  return {
    file: files.length === 1 ? files[0] : undefined,
    files,
    output,
    play,
    format,
    model: flags.model ?? text(config.get('model')),
    voice: flags.voice ?? text(config.get('voice')),
    instructions: flags.instructions,
    provider: flags.provider,
    baseUrl: flags.baseUrl,
    streamFormat,
    ...numericOptions(flags, config),
    cache: flags.cache !== false,
    quiet: flags.quiet === true,
    debug: flags.debug === true,
    verbose: flags.verbose === true || flags.debug === true,
    dryRun: flags.dryRun === true,
    json: flags.json === true,
    markdown: flags.markdown ?? isMarkdownFile(files[0] ?? ''),
    markdownFlag: flags.markdown,
    subtitles,
    cast: nonEmpty('--cast', flags.cast) ?? text(config.get('cast')),
    lexicon: nonEmpty('--lexicon', flags.lexicon) ?? text(config.get('lexicon')),
    chapters: nonEmpty('--chapters', flags.chapters),
    title: nonEmpty('--title', flags.title),
    author: nonEmpty('--author', flags.author),
  };
}

/** Speed, pacing, timeout, concurrency and retries: each in its range, else the config's or the default. */
function numericOptions(flags: RawSpeakFlags, config: ConfigReader): Pick<SpeakOptions, 'speed' | 'rpm' | 'timeoutMs' | 'concurrency' | 'retries'> {
  const configSpeed = config.get('speed');
  return {
    speed:
      flags.speed !== undefined ? number('--speed', flags.speed, { min: 0.25, max: 4 })
      : typeof configSpeed === 'number' ? configSpeed
      : undefined,
    rpm: flags.rpm !== undefined ? number('--rpm', flags.rpm, RPM_RANGE) : configRpm(config),
    timeoutMs: 1000 * (flags.timeout !== undefined ? number('--timeout', flags.timeout, { min: 1, max: 3600 }) : DEFAULT_TIMEOUT_SECONDS),
    concurrency: flags.concurrency !== undefined ? number('--concurrency', flags.concurrency, { min: 1, max: 32, integer: true }) : DEFAULT_CONCURRENCY,
    retries: flags.retries !== undefined ? number('--retries', flags.retries, { min: 0, max: 10, integer: true }) : DEFAULT_RETRIES,
  };
}

function nonEmpty(flag: string, value: string | undefined): string | undefined {
  if (value !== undefined && value.trim() === '') throw new UsageError(`${flag} cannot be empty`);
  return value;
}

/**
 * --subtitles: a name that says its format, and never the audio's own path or an input. An
 * extension alone (`.srt`) names them after the audio file, beside it; into a folder it stays as
 * it is, and each output's are found beside it once the outputs are named (`subtitlesBeside`).
 */
function subtitlesPath(flags: RawSpeakFlags, run: { files: readonly string[]; output: SpeakOptions['output'] }): string | undefined {
  if (flags.subtitles === undefined) return undefined;
  if (flags.subtitles.trim() === '') throw new UsageError('--subtitles needs a path, e.g. --subtitles speech.srt');
  // A named pipe or descriptor may have no extension; one that names another format is a mistake.
  if (/\.[^./\\]+$/.test(flags.subtitles)) subtitleKind(flags.subtitles);
  const beside = eachBeside(flags.subtitles);
  if (beside && run.output?.kind === 'folder') return flags.subtitles;
  const path = beside ? besideTheAudio(flags.subtitles, run.output) : flags.subtitles;
  if (flags.output !== undefined && resolve(flags.output) === resolve(path)) {
    throw new UsageError('--subtitles and --output name the same file', { hint: 'e.g. -o speech.mp3 --subtitles speech.srt' });
  }
  if (run.files.some((file) => file !== '-' && resolve(file) === resolve(path))) {
    throw new UsageError('--subtitles would overwrite the input file', { hint: 'e.g. -f notes.txt --subtitles notes.srt' });
  }
  return path;
}

/** `--subtitles .srt`: an extension alone, meaning "named after the audio, beside it". */
export const eachBeside = (subtitles: string): boolean => /^\.[^./\\]+$/.test(subtitles);

/** The subtitles for the audio file at `audioPath` under `--subtitles .srt`: its name with that extension. */
const subtitlesBeside = (audioPath: string, extension: string): string => join(dirname(audioPath), `${basename(audioPath, extname(audioPath))}${extension}`);

/** One output's own subtitles in a run of several (`-o folder/ --subtitles .srt`): beside its audio. None without. */
export const subtitlesOfOutput = (subtitles: string | undefined, audioPath: string): string | undefined =>
  subtitles !== undefined && eachBeside(subtitles) ? subtitlesBeside(audioPath, subtitles) : undefined;

function besideTheAudio(extension: string, output: SpeakOptions['output']): string {
  if (output?.kind === 'file') return subtitlesBeside(output.path, extension);
  throw new UsageError(`--subtitles ${extension} names the subtitles after the audio file, and this run writes none`, { hint: `Name them: --subtitles speech${extension}` });
}
