import type { Link, Nodes, Parents, PhrasingContent, RootContent, Table } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { frontmatterFromMarkdown } from 'mdast-util-frontmatter';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { frontmatter } from 'micromark-extension-frontmatter';
import { gfm } from 'micromark-extension-gfm';
import { parseFrontMatter, type FrontMatter } from './front-matter.js';
import { closesElement, htmlText, rawTextElement } from './html-text.js';
import { alignToSource, type SourcePiece } from './source-pieces.js';
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
 * Markdown as it should be heard: the words without the markup. The text is parsed as CommonMark
 * with GitHub's extensions (tables, footnotes, strikethrough, autolinks) and YAML front matter by
 * micromark, whose syntax tree carries the source offset of every node, so each spoken word maps
 * back to where it is written.
 *
 * Headings, list items and table rows end as sentences; links keep their text, but bare URLs and
 * autolinks are left out, as are code blocks, HTML comments, scripts and styles, rules, link
 * definitions, footnote markers and footnotes (a note read elsewhere would have no marker to belong
 * to: it is left out, as the marker is). Images are read by their alt text, code spans as written.
 * Where the source has a blank line between two blocks the speech has a paragraph break ("\n\n");
 * otherwise a line break.
 */
export function readMarkdown(markdown: string): MarkdownSpeech {
  const tree = fromMarkdown(markdown, {
    extensions: [gfm(), frontmatter(['yaml'])],
    mdastExtensions: [gfmFromMarkdown(), frontmatterFromMarkdown(['yaml'])],
  });
  const reader = new MarkdownReader(markdown);
  reader.blocks(tree);
  return reader.result();
}

/** The spoken text alone, for callers that need no map. */
export function markdownToSpeech(markdown: string): string {
  return readMarkdown(markdown).spoken.text;
}

/** A piece of spoken text: copied from the source at `source`, or added by the reader when undefined. */
type Piece = SourcePiece | { text: string; source: undefined };

/** Ends a sentence already: no full stop is added after these (a closing quote or bracket may follow). */
const SENTENCE_END = /[.!?:;…。！？][\s"'”’»)\]]*$/u;

class MarkdownReader {
  private readonly out = new SpokenTextBuilder();
  private readonly headings: MarkdownHeading[] = [];
  private frontMatter: FrontMatter = {};
  /** Where the last block seen (spoken or not) ended in the source. */
  private lastEnd = 0;
  /** A blank line was seen in the source since the last spoken block. */
  private paragraphBreak = false;
  /** How many containers deep the reader is: 1 in the document itself. */
  private depth = 0;

  constructor(private readonly source: string) {}

  result(): MarkdownSpeech {
    return { ...this.frontMatter, spoken: this.out.build(), headings: this.headings };
  }

  /** The blocks of a container in order; `sentences` when its paragraphs are list items. */
  blocks(parent: Parents, options: { sentences: boolean } = { sentences: false }): void {
    this.depth++;
    for (const child of parent.children) {
      this.noteGap(start(child));
      this.block(child as RootContent, options.sentences);
      this.lastEnd = end(child);
    }
    this.depth--;
  }

  private block(node: RootContent, sentences: boolean): void {
    switch (node.type) {
      case 'paragraph':
        this.emit(this.phrasing(node.children), { sentence: sentences });
        return;
      case 'heading': {
        const spoken = this.emit(this.phrasing(node.children), { sentence: true });
        // A heading inside a quote or a list is part of what it quotes or lists, not the outline.
        if (spoken && this.depth === 1) this.headings.push({ level: node.depth, ...spoken });
        return;
      }
      case 'blockquote':
      case 'list':
        return this.blocks(node);
      case 'listItem':
        return this.blocks(node, { sentences: true });
      case 'table':
        return this.table(node);
      case 'html':
        this.emit(htmlText(node.value, start(node)), { sentence: false });
        return;
      case 'yaml':
        this.frontMatter = parseFrontMatter(node.value);
        return;
      default:
        // Code blocks, rules, link definitions, footnote definitions: nothing to hear.
        return;
    }
  }

  /** A table row by row, each row a sentence of its cells, empty cells skipped. */
  private table(table: Table): void {
    for (const row of table.children) {
      this.noteGap(start(row));
      const pieces: Piece[] = [];
      for (const cell of row.children) {
        const words = trimPieces(this.phrasing(cell.children));
        if (words.length === 0) continue;
        if (pieces.length > 0) pieces.push({ text: ', ', source: undefined });
        pieces.push(...words);
      }
      this.emit(pieces, { sentence: true });
      this.lastEnd = end(row);
    }
  }

  private noteGap(next: number): void {
    if (/\n[ \t>]*\n/.test(this.source.slice(this.lastEnd, next))) this.paragraphBreak = true;
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

  /** The words of inline content, each piece pointing into the source. */
  private phrasing(nodes: PhrasingContent[]): Piece[] {
    const pieces: Piece[] = [];
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      const rawText = node.type === 'html' ? rawTextElement(node.value) : undefined;
      if (rawText) {
        // A <script> or <style> inside a paragraph: its contents are siblings up to the closing tag.
        while (i + 1 < nodes.length && !isClosing(nodes[i + 1]!, rawText)) i++;
        i++;
        continue;
      }
      pieces.push(...this.inline(node));
    }
    return pieces;
  }

  private inline(node: PhrasingContent): Piece[] {
    switch (node.type) {
      case 'text':
        return alignToSource(node.value, this.slice(node), start(node));
      case 'emphasis':
      case 'strong':
        return this.isArithmetic(node) ? [{ text: this.slice(node), source: start(node) }] : this.phrasing(node.children);
      case 'delete':
      case 'linkReference':
        return this.phrasing(node.children);
      case 'link':
        return this.isBareUrl(node) ? [] : this.phrasing(node.children);
      case 'inlineCode':
        return codeSpan(node.value, this.slice(node), start(node));
      case 'image':
      case 'imageReference': {
        // `![` opens both forms; the alt text follows it, as written.
        const at = start(node) + 2;
        return node.alt ? alignToSource(node.alt, this.source.slice(at, end(node)), at) : [];
      }
      case 'break':
        return [{ text: '\n', source: end(node) - 1 }];
      case 'html':
        return htmlText(node.value, start(node));
      default:
        // Footnote markers.
        return [];
    }
  }

  /**
   * An autolink (`<https://…>`), a URL GFM found in running text, or a link whose text is its
   * own address: heard as a string of letters and slashes, it says nothing a listener can use.
   */
  private isBareUrl(link: Link): boolean {
    if (this.source[start(link)] !== '[') return true;
    const text = this.phrasing(link.children).map((piece) => piece.text).join('').trim();
    const plain = (url: string): string => url.replace(/^(mailto:|[a-z][a-z0-9+.-]*:\/\/)/i, '').replace(/\/$/, '');
    return text !== '' && plain(text) === plain(link.url);
  }

  /**
   * `2*3*4` is emphasis to CommonMark (`*` may open and close inside a word), but between digits
   * the stars are multiplication, and are read as written.
   */
  private isArithmetic(node: Nodes): boolean {
    const text = this.slice(node);
    return /^\*+\d(.*\d)?\*+$/s.test(text) && /\d/.test(this.source[start(node) - 1] ?? '') && /\d/.test(this.source[end(node)] ?? '');
  }

  private slice(node: Nodes): string {
    return this.source.slice(start(node), end(node));
  }
}

function isClosing(node: PhrasingContent, element: string): boolean {
  return node.type === 'html' && closesElement(node.value, element);
}

/**
 * A code span's text is its source between the backtick fences, less one space each side when
 * both are there, with line endings as spaces: the same length, so it maps one to one. In a block
 * quote the source also holds the `>` of each line, and the general alignment takes over.
 */
function codeSpan(value: string, source: string, at: number): Piece[] {
  const fence = /^`+/.exec(source)?.[0].length ?? 0;
  let from = fence;
  let to = source.length - fence;
  const inner = source.slice(from, to);
  if (/^[ \n]/.test(inner) && /[ \n]$/.test(inner) && /[^ \n]/.test(inner)) {
    from++;
    to--;
  }
  if (to - from === value.length) return value === '' ? [] : [{ text: value, source: at + from }];
  return alignToSource(value, source.slice(from, to), at + from);
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
    out[0] = { text, source: first.source === undefined ? undefined : first.source + skipped } as Piece;
  }
  const last = out[out.length - 1];
  if (last) out[out.length - 1] = { ...last, text: last.text.trimEnd() };
  return out;
}

function start(node: Nodes): number {
  return node.position?.start.offset ?? 0;
}

function end(node: Nodes): number {
  return node.position?.end.offset ?? 0;
}
