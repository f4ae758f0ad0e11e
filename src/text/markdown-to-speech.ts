import MarkdownIt from 'markdown-it';
import type { Token } from 'markdown-it';
import footnote from 'markdown-it-footnote';
import { parseFrontMatter, type FrontMatter } from './front-matter.js';
import { htmlText, type SourcePiece } from './html-text.js';
import { InlineReader, type Piece } from './inline-reader.js';
import { SourceLines } from './source-lines.js';
import { SpokenTextBuilder, type SpokenText } from './spoken-text.js';

/**
 * A heading of the document (not one inside a quote or a list) as heard: its level (1 for `#`),
 * its words, and where they start in the spoken text.
 */
export interface MarkdownHeading {
  level: number;
  text: string;
  offset: number;
}

/** Markdown read for speaking: the words with their map back to the source, the headings, the front matter's title and author. */
export interface MarkdownSpeech extends FrontMatter {
  spoken: SpokenText;
  headings: MarkdownHeading[];
}

/**
 * CommonMark with GitHub's tables and strikethrough, footnotes, raw HTML recognised as such, and
 * links found in running text (with a scheme, `www.`, or an e-mail address; a bare `example.com`
 * is linked too, but its words are kept). `text_join` is off so that escapes and entities stay
 * tokens of their own, whose source form is known: the map back to the source stays exact.
 */
const parser = new MarkdownIt({ html: true, linkify: true }).use(footnote);
parser.linkify.set({ fuzzyLink: true });
parser.core.ruler.disable('text_join');
// Footnotes are not read, so they stay where they are defined, to be skipped: the rule that gathers
// them at the end concatenates the whole token list once per note, quadratic in a book full of notes.
parser.core.ruler.disable('footnote_tail');

/**
 * Markdown as it should be heard: the words without the markup, each mapped back to where it is
 * written in `markdown` (LF line ends, as the input reader gives).
 *
 * Headings, list items and table rows end as sentences; links keep their text, but bare URLs and
 * autolinks are left out, as are code blocks, HTML comments, scripts and styles, rules, link
 * definitions, footnote markers and footnotes (a note read elsewhere would have no marker to belong
 * to: it is left out, as the marker is). Images are read by their alt text, code spans as written.
 * Where the source has a blank line between two blocks the speech has a paragraph break ("\n\n");
 * otherwise a line break.
 */
export function readMarkdown(markdown: string): MarkdownSpeech {
  const front = frontMatter(markdown);
  // Front matter is blanked, not cut, so every offset the parser sees is the source's own.
  const masked = front ? markdown.slice(0, front.end).replace(/[^\n]/g, ' ') + markdown.slice(front.end) : markdown;
  const reader = new MarkdownReader(new SourceLines(markdown));
  reader.read(parser.parse(masked, {}));
  return { ...(front ? parseFrontMatter(front.yaml) : {}), ...reader.result() };
}

/** The spoken text alone, for callers that need no map. */
export function markdownToSpeech(markdown: string): string {
  return readMarkdown(markdown).spoken.text;
}

/** YAML between a `---` line at the very top and the next `---` (or `...`) line. */
function frontMatter(markdown: string): { yaml: string; end: number } | undefined {
  const match = /^---[ \t]*\n([\s\S]*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|$)/.exec(markdown);
  return match ? { yaml: match[1] ?? '', end: match[0].length } : undefined;
}

/** Ends a sentence already: no full stop is added after these (a closing quote or bracket may follow). */
const SENTENCE_END = /[.!?:;…。！？][\s"'”’»)\]]*$/u;

const CONTAINERS: Record<string, 1 | -1> = {
  blockquote_open: 1,
  blockquote_close: -1,
  bullet_list_open: 1,
  bullet_list_close: -1,
  ordered_list_open: 1,
  ordered_list_close: -1,
  list_item_open: 1,
  list_item_close: -1,
};

class MarkdownReader {
  private readonly out = new SpokenTextBuilder();
  private readonly headings: MarkdownHeading[] = [];
  /** The line after the last block seen, spoken or not. */
  private lastEndLine = 0;
  /** A blank line was seen in the source since the last spoken block. */
  private paragraphBreak = false;
  /** The open quotes, lists and list items, innermost last. */
  private readonly containers: string[] = [];

  constructor(private readonly lines: SourceLines) {}

  result(): { spoken: SpokenText; headings: MarkdownHeading[] } {
    return { spoken: this.out.build(), headings: this.headings };
  }

  read(tokens: Token[]): void {
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      const nesting = CONTAINERS[token.type];
      if (nesting === 1) this.containers.push(token.type);
      else if (nesting === -1) this.containers.pop();
      else i = this.block(tokens, i);
    }
  }

  /** Reads the block starting at token `i`; returns the index of its last token. */
  private block(tokens: Token[], i: number): number {
    const token = tokens[i]!;
    switch (token.type) {
      case 'paragraph_open': {
        const inList = this.containers.at(-1) === 'list_item_open';
        const firstInItem = inList && tokens[i - 1]?.type === 'list_item_open';
        this.leaf(token);
        const pieces = this.inline(tokens[i + 1]!);
        this.emit(firstInItem ? withoutTaskBox(pieces) : pieces, { sentence: inList });
        return i + 2;
      }
      case 'heading_open': {
        this.leaf(token);
        const spoken = this.emit(this.inline(tokens[i + 1]!), { sentence: true });
        // A heading inside a quote or a list is part of what it quotes or lists, not the outline.
        if (spoken && this.containers.length === 0) this.headings.push({ level: Number(token.tag.slice(1)), ...spoken });
        return i + 2;
      }
      case 'table_open':
        return this.table(tokens, i);
      case 'html_block':
        this.leaf(token);
        this.emit(this.lines.mapPieces(htmlText(token.content, 0), this.lines.contentMap(token.content, token.map)), { sentence: false });
        return i;
      case 'footnote_reference_open':
        return skipTo(tokens, i, 'footnote_reference_close');
      default:
        // Code blocks and rules say nothing, but they are blocks between blocks.
        if (token.map) this.leaf(token);
        return i;
    }
  }

  /** A table row by row, each row a sentence of its cells, empty cells skipped. */
  private table(tokens: Token[], start: number): number {
    let i = start;
    let row: { pieces: Piece[]; line: number; at: number } | undefined;
    for (; i < tokens.length - 1 && tokens[i]!.type !== 'table_close'; i++) {
      const token = tokens[i]!;
      if (token.type === 'tr_open') {
        this.leaf(token);
        row = { pieces: [], line: token.map?.[0] ?? this.lastEndLine, at: 0 };
      } else if (token.type === 'inline' && row) {
        // A cell has no line of its own: it is found in its row's line, after the cell before.
        const map = this.lines.cellMap(token.content, row.line, row.at);
        row.at = map.toSource(token.content.length);
        const words = trimPieces(new InlineReader(token.content, map).read(token.children ?? []));
        if (words.length > 0 && row.pieces.length > 0) row.pieces.push({ text: ', ', source: undefined });
        row.pieces.push(...words);
      } else if (token.type === 'tr_close' && row) {
        this.emit(row.pieces, { sentence: true });
      }
    }
    return i;
  }

  private inline(token: Token): Piece[] {
    return new InlineReader(token.content, this.lines.contentMap(token.content, token.map)).read(token.children ?? []);
  }

  /** Notes a block at `token.map`: a blank line between it and the block before is a paragraph break. */
  private leaf(token: Token): void {
    const [first, end] = token.map ?? [this.lastEndLine, this.lastEndLine];
    for (let line = this.lastEndLine; line < first; line++) {
      if (/^[ \t>]*$/.test(this.lines.line(line))) this.paragraphBreak = true;
    }
    this.lastEndLine = Math.max(this.lastEndLine, end);
  }

  /** Writes one block's words after the break that separates them from the last; returns what was written. */
  private emit(pieces: Piece[], options: { sentence: boolean }): { text: string; offset: number } | undefined {
    const words = trimPieces(pieces);
    if (words.length === 0) return undefined;
    if (this.out.textLength > 0) this.out.insert(this.paragraphBreak ? '\n\n' : '\n');
    this.paragraphBreak = false;
    const offset = this.out.textLength;
    for (const piece of words) {
      if (piece.source === undefined) this.out.insert(piece.text);
      else this.out.copy(piece.text, piece.source);
    }
    const text = words.map((piece) => piece.text).join('');
    if (options.sentence && !SENTENCE_END.test(text)) this.out.insert('.');
    return { text, offset };
  }
}

function skipTo(tokens: Token[], from: number, type: string): number {
  let i = from;
  while (i < tokens.length - 1 && tokens[i]!.type !== type) i++;
  return i;
}

/** A task list item's `[ ]` or `[x]` is a checkbox, not words. */
function withoutTaskBox(pieces: Piece[]): Piece[] {
  const first = pieces[0];
  const box = first ? /^\[[ xX]\]\s+/.exec(first.text) : null;
  if (!first || !box) return pieces;
  const rest: Piece = first.source === undefined ? { text: first.text.slice(box[0].length), source: undefined } : { text: first.text.slice(box[0].length), source: first.source + box[0].length };
  return [rest, ...pieces.slice(1)];
}

/** The pieces without the whitespace at their two ends. */
function trimPieces(pieces: Piece[]): Piece[] {
  const out = pieces.filter((piece) => piece.text !== '');
  while (out.length > 0 && out[0]!.text.trimStart() === '') out.shift();
  while (out.length > 0 && out[out.length - 1]!.text.trimEnd() === '') out.pop();
  const first = out[0];
  if (first) {
    const text = first.text.trimStart();
    const skipped = first.text.length - text.length;
    out[0] = first.source === undefined ? { text, source: undefined } : ({ text, source: first.source + skipped } satisfies SourcePiece);
  }
  const last = out[out.length - 1];
  if (last) out[out.length - 1] = { ...last, text: last.text.trimEnd() };
  return out;
}
