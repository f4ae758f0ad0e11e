import type { Token } from 'markdown-it';
import { closesElement, htmlText, rawTextElement, type SourcePiece } from './html-text.js';
import type { ContentMap } from './source-lines.js';

/** A piece of spoken text: copied from the source at `source`, or added by the reader when undefined. */
export type Piece = SourcePiece | { text: string; source: undefined };

/**
 * The words of one block's inline tokens, each piece pointing into the source. markdown-it's inline
 * tokens carry no offsets, but they come in order and each holds its text as written (an escape or
 * an entity keeps its source form in `markup`), so a cursor moving through the block's text finds
 * each one; markup between them (`*`, `[`, `](url)`) is passed over.
 */
export class InlineReader {
  /** How far into the block's text the tokens read so far reach. */
  private at = 0;

  constructor(
    private readonly content: string,
    private readonly map: ContentMap,
  ) {}

  read(tokens: Token[]): Piece[] {
    const pieces: Piece[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      switch (token.type) {
        case 'text':
          pieces.push(...this.take(token.content));
          break;
        case 'text_special': {
          // An escape (`\*`) or an entity (`&amp;`): the character maps to where it is written.
          const at = this.find(token.markup);
          const offset = token.info === 'escape' ? token.markup.length - token.content.length : 0;
          pieces.push({ text: token.content, source: this.map.toSource(at + offset) });
          this.at = at + token.markup.length;
          break;
        }
        case 'softbreak':
        case 'hardbreak':
          pieces.push(...this.take('\n'));
          break;
        case 'code_inline':
          pieces.push(...this.codeSpan(token));
          break;
        case 'link_open':
          i = this.link(tokens, i, pieces);
          break;
        case 'image':
          pieces.push(...this.read(token.children ?? []));
          this.skipLinkTail();
          break;
        case 'html_inline':
          i = this.html(tokens, i, pieces);
          break;
        case 'footnote_ref':
          this.skipFootnoteMarker();
          break;
        case 'em_open':
        case 'strong_open':
          i = this.arithmetic(tokens, i, pieces);
          break;
        default:
          // Emphasis and strikethrough ends: their markers are passed over by the next search.
          break;
      }
    }
    return pieces;
  }

  /** `text` found from the cursor on, as pieces of source; the cursor moves past it. */
  private take(text: string): SourcePiece[] {
    const at = this.find(text);
    this.at = at + text.length;
    return this.map.pieces(text, at);
  }

  /** Where `text` next occurs in the block's text; where the cursor is, should it not. */
  private find(text: string): number {
    const at = this.content.indexOf(text, this.at);
    return at < 0 ? this.at : at;
  }

  /** A code span's text is its source between the fences, less one space each side when both are there. */
  private codeSpan(token: Token): SourcePiece[] {
    // Fences are runs of exactly as many backticks.
    const fence = new RegExp(`(?<!\`)${token.markup}(?!\`)`, 'g');
    fence.lastIndex = this.at;
    let from = (fence.exec(this.content)?.index ?? this.at) + token.markup.length;
    fence.lastIndex = from;
    const close = fence.exec(this.content)?.index ?? from + token.content.length;
    if (close - from === token.content.length + 2) from++;
    this.at = close + token.markup.length;
    return this.map.pieces(token.content, from);
  }

  /**
   * A link's words, unless it is a bare address: an autolink (`<https://…>`), a URL or e-mail found
   * in running text, or a link whose words are its own address. Read aloud, those are a string of
   * letters and slashes that tell a listener nothing. Returns the index of the link's end.
   */
  private link(tokens: Token[], open: number, pieces: Piece[]): number {
    let close = open + 1;
    while (close < tokens.length && tokens[close]!.type !== 'link_close') close++;
    const token = tokens[open]!;
    const children = tokens.slice(open + 1, close);
    const words = children.map((child) => child.content).join('');
    const href = String(token.attrGet('href') ?? '');
    if (token.markup === 'autolink') {
      this.at = this.content.indexOf('>', this.find('<')) + 1 || this.at;
    } else if (token.markup === 'linkify') {
      if (!/^(?:[a-z][a-z0-9+.-]*:|www\.)/i.test(words) && !href.startsWith('mailto:')) pieces.push(...this.read(children));
      else this.at = this.find(words) + words.length;
    } else if (bare(words) !== '' && bare(words) === bare(href)) {
      this.read(children);
      this.skipLinkTail();
    } else {
      pieces.push(...this.read(children));
      this.skipLinkTail();
    }
    return close;
  }

  /** Past the `]` that ends a link's or image's words, and the `(url "title")` or `[label]` after it. */
  private skipLinkTail(): void {
    const bracket = this.content.indexOf(']', this.at);
    if (bracket < 0) return;
    let at = bracket + 1;
    const opener = this.content[at];
    if (opener === '(' || opener === '[') {
      const closer = opener === '(' ? ')' : ']';
      let depth = 0;
      let quote: string | undefined;
      for (; at < this.content.length; at++) {
        const c = this.content[at]!;
        if (c === '\\') at++;
        else if (quote) quote = c === quote ? undefined : quote;
        else if (c === '"' || (c === "'" && opener === '(')) quote = c;
        else if (c === opener) depth++;
        else if (c === closer && --depth === 0) break;
      }
      at++;
    }
    this.at = Math.min(at, this.content.length);
  }

  /** Raw HTML: its text only; a `<script>` or `<style>` with what it holds, not at all. */
  private html(tokens: Token[], i: number, pieces: Piece[]): number {
    const token = tokens[i]!;
    const at = this.find(token.content);
    this.at = at + token.content.length;
    const element = rawTextElement(token.content);
    if (!element) {
      pieces.push(...htmlText(token.content, 0).map((piece) => ({ text: piece.text, source: this.map.toSource(at + piece.source) })));
      return i;
    }
    let close = i + 1;
    while (close < tokens.length && !(tokens[close]!.type === 'html_inline' && closesElement(tokens[close]!.content, element))) close++;
    const end = tokens[close];
    if (end) this.at = this.find(end.content) + end.content.length;
    return close;
  }

  /** Past `[^label]`, or `^[` … `]` for an inline note. */
  private skipFootnoteMarker(): void {
    const marker = /\[\^[^\]]*\]|\^\[/.exec(this.content.slice(this.at));
    if (!marker) return;
    const at = this.at + marker.index;
    this.at = marker[0] === '^[' ? this.content.indexOf(']', at) + 1 || this.content.length : at + marker[0].length;
  }

  /**
   * `2*3*4` is emphasis to CommonMark (a `*` may open and close inside a word), but between digits
   * the stars are multiplication, and are read as written. Returns the index of the last token used.
   */
  private arithmetic(tokens: Token[], open: number, pieces: Piece[]): number {
    const token = tokens[open]!;
    const inner = tokens[open + 1];
    const close = tokens[open + 2];
    if (!token.markup.startsWith('*') || inner?.type !== 'text' || close?.type !== token.type.replace('_open', '_close')) return open;
    const written = `${token.markup}${inner.content}${token.markup}`;
    const at = this.content.startsWith(written, this.at) ? this.at : -1;
    const digits = /^\d(.*\d)?$/.test(inner.content) && /\d/.test(this.content[at - 1] ?? '') && /\d/.test(this.content[at + written.length] ?? '');
    if (at < 0 || !digits) return open;
    pieces.push(...this.take(written));
    return open + 2;
  }
}

/** An address as people write it: no scheme, no `mailto:`, no slash at the end. */
function bare(url: string): string {
  return url
    .trim()
    .replace(/^(?:mailto:|[a-z][a-z0-9+.-]*:\/\/)/i, '')
    .replace(/\/$/, '');
}
