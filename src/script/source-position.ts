/** A place in a script as an editor shows it: both 1-based, columns counted in characters. */
export interface LineColumn {
  line: number;
  column: number;
}

/**
 * The line and column of a UTF-16 offset in `text`. A byte-order mark is not a column (editors
 * hide it), CRLF and lone CR end a line like LF, and a character outside the BMP is one column.
 * Only error paths call this, so it may walk the text.
 */
export function lineColumn(text: string, offset: number): LineColumn {
  let line = 1;
  let lineStart = text.startsWith('\uFEFF') ? 1 : 0;
  const newline = /\r\n?|\n/g;
  for (let m = newline.exec(text); m && m.index < offset; m = newline.exec(text)) {
    line += 1;
    lineStart = m.index + m[0].length;
  }
  return { line, column: [...text.slice(lineStart, Math.max(lineStart, offset))].length + 1 };
}

/** "talk.ssml, line 3, column 6", the prefix of every message about a place in a script. */
export function describePlace(fileName: string, place: LineColumn): string {
  return `${fileName}, line ${place.line}, column ${place.column}`;
}
