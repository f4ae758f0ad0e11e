import type { Segment, SpeechStyle } from '../plan/segment.js';
import { SpokenTextBuilder, sourceOffset, type SpokenText } from '../text/spoken-text.js';
import { copySpoken, pinText } from './spoken-slices.js';

/** What XML counts as white space; a no-break space is text. */
const XML_SPACE = /[ \t\n\r]+/g;
const SENTENCE_END = /[.!?:;…。！？]["'”’)\]]*$/;

/**
 * Collects a marked-up script's text into segments, one speech segment for each stretch with the
 * same style. White space collapses the way XML text is read aloud: a run of it is one space, none
 * at a segment's start or end. Separators are held back until more text follows, so a break or a
 * change of voice never leaves a dangling space or paragraph break behind it.
 */
export class SegmentWriter {
  private readonly segments: Segment[] = [];
  private builder: TailBuilder | undefined;
  private style: SpeechStyle = {};
  /** What separates the next text from the last, if both land in the same segment. */
  private separator: 'space' | 'paragraph' | undefined;
  /** Where the white space behind a pending space was, when it came from the source. */
  private spaceSource: number | undefined;

  /** Text from the source, white space collapsed. */
  text(spoken: SpokenText, style: SpeechStyle): void {
    const s = spoken.text;
    let contentStart = 0;
    XML_SPACE.lastIndex = 0;
    for (let m = XML_SPACE.exec(s); m; m = XML_SPACE.exec(s)) {
      // A single space inside the text needs no collapsing: keep it in the piece being copied.
      if (m[0] === ' ' && m.index > contentStart && m.index + 1 < s.length) continue;
      if (m.index > contentStart) this.content(style, (out) => copySpoken(out, spoken, contentStart, m.index));
      this.space(sourceOffset(spoken, m.index));
      contentStart = m.index + m[0].length;
    }
    if (contentStart < s.length) this.content(style, (out) => copySpoken(out, spoken, contentStart, s.length));
  }

  /** Words that stand for the source at `source` (a `<sub>` alias): they all point there. */
  alias(text: string, source: number, style: SpeechStyle): void {
    const words = text.split(XML_SPACE).filter((w) => w !== '');
    if (words.length > 0) this.content(style, (out) => pinText(out, words.join(' '), source));
  }

  /** One character copied from the source, after `joiner` (inserted) when `joiner` is not empty. */
  character(char: string, source: number, joiner: string, style: SpeechStyle): void {
    this.content(style, (out) => {
      if (joiner !== '') out.insert(joiner);
      out.copy(char, source);
    });
  }

  /** White space in the source at `source`: a space, if text follows in the same segment. */
  space(source: number): void {
    if (!this.builder || this.builder.textLength === 0 || this.separator !== undefined) return;
    this.separator = 'space';
    this.spaceSource = source;
  }

  /** Ends the text so far as a sentence: a full stop unless it ends with its own punctuation. */
  endSentence(): void {
    const out = this.builder;
    if (!out || out.textLength === 0) return;
    if (!SENTENCE_END.test(out.tail)) out.insert('.');
    this.separator ??= 'space';
  }

  endParagraph(): void {
    this.endSentence();
    if (this.builder && this.builder.textLength > 0) this.separator = 'paragraph';
  }

  /** Exact silence; neighbouring pauses add up to one. */
  pause(ms: number): void {
    if (ms <= 0) return;
    this.flush();
    const last = this.segments[this.segments.length - 1];
    if (last?.kind === 'pause') last.ms += ms;
    else this.segments.push({ kind: 'pause', ms });
  }

  mark(name: string): void {
    this.flush();
    this.segments.push({ kind: 'mark', name });
  }

  finish(): Segment[] {
    this.flush();
    return this.segments;
  }

  /** Adds content in `style`, first the separator owed to the text before it in the same segment. */
  private content(style: SpeechStyle, write: (out: SpokenTextBuilder) => void): void {
    if (this.builder && !sameStyle(style, this.style)) this.flush();
    const out = (this.builder ??= new TailBuilder());
    this.style = style;
    if (this.separator === 'paragraph') out.insert('\n\n');
    else if (this.separator === 'space' && this.spaceSource !== undefined) out.copy(' ', this.spaceSource);
    else if (this.separator === 'space') out.insert(' ');
    this.separator = undefined;
    this.spaceSource = undefined;
    write(out);
  }

  private flush(): void {
    if (this.builder && this.builder.textLength > 0) {
      this.segments.push({ kind: 'speech', text: this.builder.build(), style: this.style });
    }
    this.builder = undefined;
    this.separator = undefined;
    this.spaceSource = undefined;
  }
}

/** A builder that remembers how its text ends, so a sentence end needs no look at the whole. */
class TailBuilder extends SpokenTextBuilder {
  tail = '';

  override copy(text: string, source: number): this {
    this.remember(text);
    return super.copy(text, source);
  }

  override insert(text: string): this {
    this.remember(text);
    return super.insert(text);
  }

  private remember(text: string): void {
    this.tail = (this.tail + text).slice(-8);
  }
}

function sameStyle(a: SpeechStyle, b: SpeechStyle): boolean {
  return a.voice === b.voice && a.speed === b.speed && a.instructions === b.instructions;
}
