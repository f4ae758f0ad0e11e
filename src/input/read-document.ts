import type { Readable } from 'node:stream';
import { UsageError } from '../errors.js';
import type { SpeechDocument } from '../plan/segment.js';
import { isSsml } from '../script/is-ssml.js';
import { verbatim } from '../text/spoken-text.js';
import { readText } from './read-text.js';

export interface DocumentSources {
  args: readonly string[];
  file: string | undefined;
  stdin: Readable & { isTTY?: boolean };
  signal: AbortSignal;
  /** Read the text as Markdown. */
  markdown: boolean;
  /** `--cast NAME=voice,…`: the text is a dialogue. */
  cast: string | undefined;
  /** `--lexicon FILE`: pronunciations applied before chunking. */
  lexicon: string | undefined;
  /** `--chapters 3-7,9`: only these chapters. */
  chapters?: string | undefined;
}

/** The input as the planner takes it, and what reading it found worth saying. */
export interface ReadDocument {
  document: SpeechDocument;
  /** Said once, before any request (an SSML element with no effect, a lexicon entry skipped). */
  warnings: string[];
  /** What the lexicon changed, for --dry-run. */
  lexiconChanges: string[];
}

/**
 * Reads the input and turns it into segments with the reader its kind needs: SSML (a `<speak>` root
 * or a .ssml file), a dialogue (with a cast), Markdown, or plain text. Readers that need a parser
 * load it only when their kind is met.
 */
export async function readDocument(sources: DocumentSources): Promise<ReadDocument> {
  const book = sources.file !== undefined && EPUB.test(sources.file) ? await readBook(sources.file) : undefined;
  const text = book ? '' : await readText({ args: sources.args, file: sources.file, stdin: sources.stdin, signal: sources.signal });
  const fileName = sources.file === undefined ? (sources.args.length > 0 ? 'the text argument' : 'stdin') : sources.file === '-' ? 'stdin' : sources.file;
  const read = book ?? (await readByKind(text, fileName, sources));
  requireSpeech(read.document, { markdown: sources.markdown && !isSsml(text, sources.file) });
  const chosen = sources.chapters === undefined ? read : { ...read, document: await chosenChapters(read.document, sources.chapters) };
  if (sources.lexicon === undefined) return chosen;
  return withLexicon(chosen, { input: text, path: sources.lexicon, sources });
}

const EPUB = /\.epub$/i;
const HTML = /\.x?html?$/i;

/**
 * An EPUB is a zip: read from its file, never as text. A cover the audio files cannot carry (EPUB
 * allows GIF, SVG and WebP; the containers take JPEG and PNG) is left out with a warning: the book
 * is still worth hearing.
 */
async function readBook(path: string): Promise<ReadDocument> {
  const [{ readEpub }, { coverKind }] = await Promise.all([import('../books/read-epub.js'), import('../audio/tags/cover-image.js')]);
  const document = await readEpub(path, { name: path });
  if (document.cover === undefined || coverKind(document.cover.data) !== undefined) return { document, warnings: [], lexiconChanges: [] };
  const warning = `the book's cover is not a JPEG or PNG image (its package says ${document.cover.mime}), so the audio files carry none`;
  return { document: { ...document, cover: undefined }, warnings: [warning], lexiconChanges: [] };
}

async function chosenChapters(document: SpeechDocument, spec: string): Promise<SpeechDocument> {
  const { selectChapters } = await import('../books/select-chapters.js');
  return selectChapters(document, spec);
}

async function readByKind(text: string, fileName: string, sources: DocumentSources): Promise<ReadDocument> {
  if (isSsml(text, sources.file === '-' ? undefined : sources.file)) {
    const { readSsml } = await import('../script/read-ssml.js');
    const { warnings, ...document } = readSsml(text, { fileName });
    return { document, warnings, lexiconChanges: [] };
  }
  if (sources.file !== undefined && HTML.test(sources.file)) {
    const { readHtml } = await import('../books/read-html.js');
    return { document: readHtml(text, { name: fileName }), warnings: [], lexiconChanges: [] };
  }
  if (sources.cast !== undefined) {
    const [{ parseCast }, { readDialogue }] = await Promise.all([import('../script/parse-cast.js'), import('../script/read-dialogue.js')]);
    return { document: { segments: readDialogue(text, parseCast(sources.cast), { fileName }) }, warnings: [], lexiconChanges: [] };
  }
  if (sources.markdown) {
    // Chapters at the top headings, the front matter's title and author; the map points into the
    // file as written, so subtitles and the plan do too.
    const { markdownDocument } = await import('../text/markdown-document.js');
    return { document: markdownDocument(text), warnings: [], lexiconChanges: [] };
  }
  return { document: { segments: [{ kind: 'speech', text: verbatim(text), style: {} }] }, warnings: [], lexiconChanges: [] };
}

/** Text that holds nothing to say would be a paid request for silence, or a provider's 400. */
function requireSpeech(document: SpeechDocument, { markdown }: { markdown: boolean }): void {
  if (document.segments.some((s) => s.kind === 'speech' && s.text.text.trim() !== '')) return;
  throw new UsageError(
    markdown ? 'Nothing to speak: the Markdown holds only markup (code blocks, rules, links without text)' : 'Nothing to speak: the script holds no text',
    { hint: markdown ? 'Add --no-markdown to speak it exactly as written.' : 'Put the words to speak inside the script.' },
  );
}

interface LexiconUse {
  /** The input text, which the changes' places point into. */
  input: string;
  path: string;
  sources: DocumentSources;
}

async function withLexicon(read: ReadDocument, use: LexiconUse): Promise<ReadDocument> {
  const [{ parseLexicon }, { applyLexicon, describeLexiconChanges }] = await Promise.all([import('../script/parse-lexicon.js'), import('../script/apply-lexicon.js')]);
  const source = await readText({ args: [], file: use.path, stdin: use.sources.stdin, signal: use.sources.signal });
  const lexicon = await parseLexicon(source, use.path);
  const { segments, changes } = applyLexicon(read.document.segments, lexicon);
  return {
    document: { ...read.document, segments },
    warnings: [...read.warnings, ...lexicon.warnings],
    lexiconChanges: describeLexiconChanges(changes, use.input),
  };
}
