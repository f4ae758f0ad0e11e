import { sourceOffset, type SpokenText } from '../text/spoken-text.js';

export type SpelledPiece =
  /** One character, after `joiner` when it follows another in the same word. */
  | { kind: 'character'; char: string; source: number; joiner: string }
  /** White space between spelled words: one space. */
  | { kind: 'space'; source: number };

const ALNUM = /^[\p{L}\p{N}]/u;
const DIGIT = /^\p{Nd}$/u;
const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Text spelled character by character, for `<say-as interpret-as="characters">`. Letters are
 * joined by hyphens ("S-Q-L"): spaced single letters read as words ("A B C" starts with the article
 * in eSpeak NG, "a b c" in Flite), and full stops after each ("A. B. C.") make every letter a
 * sentence, with a sentence's pause and a place where the chunker and subtitles may cut. Digits
 * stay apart with spaces, since "1-2-3" is read "one dash two dash three"; other characters (a
 * plus sign, say) stand apart too, so they are read by name. Case is kept: both engines spell
 * lower-case letters joined this way as letters.
 */
export function spellOut(spoken: SpokenText): SpelledPiece[] {
  const pieces: SpelledPiece[] = [];
  let previous: string | undefined;
  // By grapheme, so a letter keeps its accents and an emoji its modifiers.
  for (const { segment: char, index } of GRAPHEMES.segment(spoken.text)) {
    const source = sourceOffset(spoken, index);
    if (/^[ \t\n\r]+$/.test(char)) {
      if (previous !== undefined) pieces.push({ kind: 'space', source });
      previous = undefined;
      continue;
    }
    const joiner = previous === undefined ? '' : joinerBetween(previous, char);
    pieces.push({ kind: 'character', char, source, joiner });
    previous = char;
  }
  return pieces;
}

function joinerBetween(a: string, b: string): string {
  const bothAlnum = ALNUM.test(a) && ALNUM.test(b);
  return bothAlnum && !(DIGIT.test(a) && DIGIT.test(b)) ? '-' : ' ';
}
