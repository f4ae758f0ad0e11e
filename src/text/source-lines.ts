import type { SourcePiece } from './html-text.js';

/**
 * Where a block's text sits in the source. A parser hands each block's text over with the
 * markers of the quotes and lists around it (`> `, indentation) taken off each line: every line
 * of the text is the end of its line in the source, which this map records.
 */
export class ContentMap {
  /** For each line of the text: where it starts in the text, and in the source. */
  constructor(
    private readonly starts: number[],
    private readonly sources: number[],
  ) {}

  /** Where offset `at` of the text is in the source. */
  toSource(at: number): number {
    // The last line starting at or before `at`: a paragraph may hold thousands.
    let line = 0;
    let hi = this.starts.length - 1;
    while (line < hi) {
      const mid = (line + hi + 1) >> 1;
      if (this.starts[mid]! <= at) line = mid;
      else hi = mid - 1;
    }
    return this.sources[line]! + (at - this.starts[line]!);
  }

  /** `text` found at `at` in the block's text, as pieces of source, cut where a line ends. */
  pieces(text: string, at: number): SourcePiece[] {
    const pieces: SourcePiece[] = [];
    let from = 0;
    for (let line = 0; line < this.starts.length; line++) {
      const next = this.starts[line + 1];
      if (next === undefined || next > at + text.length) break;
      if (next > at + from) {
        pieces.push({ text: text.slice(from, next - at), source: this.toSource(at + from) });
        from = next - at;
      }
    }
    if (from < text.length) pieces.push({ text: text.slice(from), source: this.toSource(at + from) });
    return pieces;
  }
}

/** The source, line by line. */
export class SourceLines {
  private readonly starts: number[] = [0];

  constructor(readonly source: string) {
    for (let at = source.indexOf('\n'); at >= 0; at = source.indexOf('\n', at + 1)) this.starts.push(at + 1);
  }

  line(index: number): string {
    const start = this.starts[index];
    if (start === undefined) return '';
    const next = this.starts[index + 1];
    return this.source.slice(start, next === undefined ? undefined : next - 1);
  }

  /** The map of a block's text that starts at source line `lines[0]`. */
  contentMap(content: string, lines: [number, number] | null): ContentMap {
    const starts: number[] = [];
    const sources: number[] = [];
    let at = 0;
    content.split('\n').forEach((text, k) => {
      const index = (lines?.[0] ?? 0) + k;
      starts.push(at);
      sources.push((this.starts[index] ?? this.source.length) + endOf(this.line(index), text));
      at += text.length + 1;
    });
    return new ContentMap(starts, sources);
  }

  /**
   * The map of a table cell's text, found on source line `line` at or after source offset `from`.
   * The parser hands a cell over with its escaped pipes (`\|`) unescaped: each one shifts the rest.
   */
  cellMap(content: string, line: number, from: number): ContentMap {
    const start = this.starts[line] ?? 0;
    const text = this.line(line);
    const column = Math.max(0, from - start);
    const found = text.indexOf(content, column);
    if (found >= 0 || !content.includes('|')) return new ContentMap([0], [start + Math.max(0, found)]);
    const escaped = text.indexOf(content.replaceAll('|', '\\|'), column);
    const starts = [0];
    const sources = [start + Math.max(0, escaped)];
    for (let pipe = content.indexOf('|'), shift = 1; pipe >= 0; pipe = content.indexOf('|', pipe + 1), shift++) {
      starts.push(pipe);
      sources.push(start + Math.max(0, escaped) + pipe + shift);
    }
    return new ContentMap(starts, sources);
  }

  /** Pieces at offsets in a block's text, moved to where they are in the source. */
  mapPieces(pieces: SourcePiece[], map: ContentMap): SourcePiece[] {
    return pieces.map((piece) => ({ text: piece.text, source: map.toSource(piece.source) }));
  }
}

/** Where `text` starts as the end of `line` (its trailing blanks aside); the best guess where a tab was widened. */
function endOf(line: string, text: string): number {
  if (line.endsWith(text)) return line.length - text.length;
  const trimmed = line.trimEnd();
  if (trimmed.endsWith(text)) return trimmed.length - text.length;
  const found = line.lastIndexOf(text);
  return found >= 0 ? found : Math.max(0, line.length - text.length);
}
