import type { Lexicon, LexiconEntry } from './parse-lexicon.js';
import { lineColumn } from './source-position.js';
import { localName, walkXml, type XmlElement } from './xml-walker.js';

interface Lexeme {
  line: number;
  graphemes: string[];
  aliases: { text: string; preferred: boolean }[];
  phonemes: number;
}

/**
 * Reads a W3C PLS 1.0 lexicon: each `<lexeme>`'s graphemes are said as its `<alias>` (the one
 * marked prefer="true", else the first). Lexemes with only `<phoneme>`s are skipped with one
 * warning: OpenAI-compatible endpoints take text, not IPA. A grapheme in several lexemes keeps the
 * first, as a lexicon has one reading per word here.
 */
export function readPls(source: string, fileName: string): Lexicon {
  const lexemes: Lexeme[] = [];
  let lexeme: Lexeme | undefined;
  /** Text of the grapheme or alias being read. */
  let capture: string[] | undefined;
  walkXml(
    { text: source, fileName, kind: 'PLS lexicon', root: 'lexicon' },
    {
      open(element: XmlElement) {
        const name = localName(element.name);
        if (name === 'lexeme') lexeme = { line: lineColumn(source, element.start).line, graphemes: [], aliases: [], phonemes: 0 };
        if (lexeme && (name === 'grapheme' || name === 'alias')) capture = [];
        if (lexeme && name === 'phoneme') lexeme.phonemes += 1;
      },
      close(element: XmlElement) {
        const name = localName(element.name);
        const text = (capture ?? []).join('').replace(/[ \t\n\r]+/g, ' ').trim();
        if (lexeme && name === 'grapheme' && text !== '') lexeme.graphemes.push(text);
        if (lexeme && name === 'alias') lexeme.aliases.push({ text, preferred: element.attributes['prefer'] === 'true' });
        if (name === 'grapheme' || name === 'alias') capture = undefined;
        if (lexeme && name === 'lexeme') {
          lexemes.push(lexeme);
          lexeme = undefined;
        }
      },
      text(spoken) {
        capture?.push(spoken.text);
      },
    },
  );
  return toLexicon(lexemes, fileName);
}

function toLexicon(lexemes: readonly Lexeme[], fileName: string): Lexicon {
  const entries: LexiconEntry[] = [];
  const lineOf = new Map<string, number>();
  const phonemeOnly: string[] = [];
  const repeated: string[] = [];
  for (const lexeme of lexemes) {
    const alias = lexeme.aliases.find((a) => a.preferred) ?? lexeme.aliases[0];
    if (!alias) {
      if (lexeme.phonemes > 0) phonemeOnly.push(...lexeme.graphemes);
      continue;
    }
    for (const word of lexeme.graphemes) {
      const first = lineOf.get(word);
      if (first !== undefined) {
        repeated.push(`${word} (line ${lexeme.line}; line ${first} is used)`);
        continue;
      }
      lineOf.set(word, lexeme.line);
      entries.push({ match: { word }, replacement: alias.text, line: lexeme.line });
    }
  }
  const warnings: string[] = [];
  if (phonemeOnly.length > 0) {
    warnings.push(`${fileName}: skipped ${phonemeOnly.length} ${phonemeOnly.length === 1 ? 'word' : 'words'} with only a <phoneme>, which OpenAI-compatible endpoints cannot take (give an <alias> instead): ${list(phonemeOnly)}`);
  }
  if (repeated.length > 0) warnings.push(`${fileName}: words in more than one lexeme: ${list(repeated)}`);
  return { fileName, entries, warnings };
}

function list(items: readonly string[]): string {
  return items.length <= 5 ? items.join(', ') : `${items.slice(0, 5).join(', ')} and ${items.length - 5} more`;
}
