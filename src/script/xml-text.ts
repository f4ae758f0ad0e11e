import { SpokenTextBuilder, type SpokenText } from '../text/spoken-text.js';

const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

/**
 * Character data as XML reads it, keeping the way back to the source: entity and character
 * references are decoded (the character maps to its `&`), and CRLF or a lone CR becomes LF, as an
 * XML processor normalises line ends. `raw` is the text exactly as it stands at `start` in the
 * source; the XML parser has already checked it, so an unknown entity cannot occur here.
 */
export function decodeXmlText(raw: string, start: number, options: { references: boolean }): SpokenText {
  const out = new SpokenTextBuilder();
  const special = options.references ? /&([^;]*);|\r\n?/g : /\r\n?/g;
  let last = 0;
  for (let m = special.exec(raw); m; m = special.exec(raw)) {
    out.copy(raw.slice(last, m.index), start + last);
    out.copy(m[0].startsWith('&') ? reference(m[1]!) : '\n', start + m.index);
    last = m.index + m[0].length;
  }
  out.copy(raw.slice(last), start + last);
  return out.build();
}

function reference(name: string): string {
  if (name.startsWith('#x')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
  if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
  return NAMED[name] ?? `&${name};`;
}
