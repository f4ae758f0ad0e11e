import { basename, extname, join } from 'node:path';
import type { OutputFormat } from '../audio/formats.js';
import { readDocument, type ReadDocument } from '../input/read-document.js';
import { chapterFileName, inputFileName } from '../output/output-names.js';
import type { Segment, SpeechDocument } from '../plan/segment.js';
import { splitChapters, type ChapterPart } from '../plan/split-chapters.js';
import { UsageError } from '../errors.js';
import type { CliIo } from './cli-io.js';
import { isMarkdownFile, type OutputTarget, type SpeakOptions } from './speak-options.js';

/** One output's worth of speech: what it says, and where it goes. */
export interface SpeechUnit {
  /** How messages and the summary name it. */
  label: string;
  read: ReadDocument;
  output: OutputTarget | undefined;
  /** For one file per chapter: its album (the book) and track number. */
  album?: string | undefined;
  track?: { number: number; total: number } | undefined;
}

/** An input that could not be read: named in the summary, while the others are still written. */
export interface UnreadInput {
  label: string;
  error: unknown;
  /** Its place in the order given: before the unit of this index (after the last, when there are no more). */
  at: number;
}

export interface Units {
  units: SpeechUnit[];
  unread: UnreadInput[];
}

/**
 * The run's inputs as outputs: one input to one output; `-o folder/` with one book, a file per
 * chapter; several inputs into a folder, a file each; several inputs into one output, joined in
 * order with a chapter for each.
 */
export async function readUnits(words: readonly string[], options: SpeakOptions, io: CliIo): Promise<Units> {
  const inputs: (string | undefined)[] = options.files.length > 0 ? options.files : [undefined];
  const folder = options.output?.kind === 'folder' ? options.output.path : undefined;
  // One book into a folder is split before its chapters are chosen, so each file keeps the name
  // and track number it has in the whole book.
  const splitBook = folder !== undefined && inputs.length === 1;
  const reads: { input: string | undefined; read: ReadDocument }[] = [];
  const unread: UnreadInput[] = [];
  for (const input of inputs) {
    const read = readInput(words, input, { options, io, single: inputs.length === 1 && !splitBook });
    // Into a folder, an input that cannot be read is named at the end; the others still go out.
    if (folder !== undefined && inputs.length > 1) {
      await read.then((r) => reads.push({ input, read: r }), (error: unknown) => unread.push({ label: input ?? 'stdin', error, at: reads.length }));
    } else {
      reads.push({ input, read: await read });
    }
  }
  if (folder === undefined) return { units: [joined(reads, options.output)], unread };
  const extension = extensionOf(options.format);
  // One book with chapters (or chapters asked of one input): a file each. Anything else: a file per
  // input, named after it.
  const book = splitBook && (options.chapters !== undefined || reads[0]!.read.document.segments.some((s) => s.kind === 'chapter'));
  const units = book ? await chapterUnits(reads[0]!, { folder, extension, chapters: options.chapters }) : reads.map((r) => inputUnit(r, folder, extension));
  refuseClashes(units);
  return { units, unread };
}

function readInput(words: readonly string[], input: string | undefined, run: { options: SpeakOptions; io: CliIo; single: boolean }): Promise<ReadDocument> {
  const { options, io } = run;
  return readDocument({
    args: words,
    file: input,
    stdin: io.stdin,
    signal: io.signal,
    markdown: options.markdownFlag ?? isMarkdownFile(input ?? ''),
    cast: options.cast,
    lexicon: options.lexicon,
    // Chapter numbers name one book's chapters.
    chapters: run.single ? options.chapters : undefined,
  });
}

/** The file extension an output format is written with. */
const extensionOf = (format: OutputFormat): string => format;

/** One input, or several joined in order: each input a chapter, unless it has chapters of its own. */
function joined(reads: readonly { input: string | undefined; read: ReadDocument }[], output: OutputTarget | undefined): SpeechUnit {
  if (reads.length === 1) return { label: reads[0]!.input ?? 'the text', read: reads[0]!.read, output };
  const segments: Segment[] = reads.flatMap(({ input, read }) => {
    const own = read.document.segments.some((s) => s.kind === 'chapter');
    return own ? read.document.segments : [{ kind: 'chapter' as const, title: read.document.title ?? basename(input ?? 'stdin', extname(input ?? '')) }, ...read.document.segments];
  });
  const first = reads[0]!.read;
  const document: SpeechDocument = { ...first.document, title: undefined, segments };
  return {
    label: 'the joined inputs',
    read: { document, warnings: reads.flatMap((r) => r.read.warnings), lexiconChanges: reads.flatMap((r) => r.read.lexiconChanges) },
    output,
  };
}

/**
 * One book into a folder: a file per chapter (per chosen chapter with `--chapters`), `NN Title.ext`,
 * each tagged with its track number. Numbers and the track total are the whole book's.
 */
async function chapterUnits({ input, read }: { input: string | undefined; read: ReadDocument }, into: { folder: string; extension: string; chapters: string | undefined }): Promise<SpeechUnit[]> {
  const { folder, extension } = into;
  const book = read.document;
  const parts = splitChapters(book, basename(input ?? 'speech'));
  const total = Math.max(...parts.map((p) => p.number));
  const chosen = into.chapters === undefined ? parts : await chosenParts(parts, book, into.chapters);
  return chosen.map((part, i) => {
    const name = chapterFileName(part, { total, extension });
    // What reading the book found is said once, with its first file, not once per chapter.
    const warnings = i === 0 ? read.warnings : [];
    return {
      label: name,
      read: { ...read, warnings, document: { title: part.title, author: book.author, cover: book.cover, language: book.language, segments: part.segments } },
      output: { kind: 'file', path: join(folder, name) },
      album: book.title,
      track: { number: part.number, total },
    };
  });
}

/** The parts `--chapters` names, counted as the whole book's chapter marks are. */
async function chosenParts(parts: readonly ChapterPart[], book: SpeechDocument, spec: string): Promise<ChapterPart[]> {
  const { chapterCount, parseChapterSpec } = await import('../books/select-chapters.js');
  const wanted = new Set(parseChapterSpec(spec, chapterCount(book)));
  const chosen = parts.filter((part) => wanted.has(part.number));
  if (chosen.length === 0) throw new UsageError(`--chapters ${spec}: ${wanted.size === 1 ? 'that chapter has' : 'those chapters have'} nothing to speak`);
  return chosen;
}

function inputUnit({ input, read }: { input: string | undefined; read: ReadDocument }, folder: string, extension: string): SpeechUnit {
  const name = inputFileName(input ?? 'speech', extension);
  return { label: input ?? 'stdin', read, output: { kind: 'file', path: join(folder, name) } };
}

/** Two inputs must not write the same file (notes.md and notes.txt would both be notes.mp3). */
function refuseClashes(units: readonly SpeechUnit[]): void {
  const seen = new Map<string, string>();
  for (const unit of units) {
    const path = unit.output?.kind === 'file' ? unit.output.path : '';
    const other = seen.get(path);
    if (other !== undefined) throw new UsageError(`${other} and ${unit.label} would both be written to ${path}`, { hint: 'Rename one of them, or write them to different folders.' });
    seen.set(path, unit.label);
  }
}

