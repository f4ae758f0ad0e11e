/** Quotes that word processors and chat apps type in place of ' and ", often pasted along with a key. */
const CURLY_QUOTES = new Set(['\u2018', '\u2019', '\u201a', '\u201b', '\u201c', '\u201d', '\u201e', '\u201f']);

const codePoint = (char: string): string => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Why `value` cannot travel in an HTTP header, or undefined when it can. A header value is Latin-1
 * text without control characters (RFC 9110); Node refuses anything else, as a network error that
 * a retry would only repeat. The reason names the character by its code point, never the value.
 */
export function headerValueProblem(value: string): string | undefined {
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === '\n' || char === '\r') return 'a line break';
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return `a control character (${codePoint(char)})`;
    if (CURLY_QUOTES.has(char)) return `a curly quote (${codePoint(char)}), as word processors type`;
    if (code > 0xff) return `the character ${codePoint(char)}, which is not Latin-1`;
  }
  return undefined;
}
