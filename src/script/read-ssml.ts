import { UsageError } from '../errors.js';
import type { SpeechDocument, SpeechStyle } from '../plan/segment.js';
import type { SpokenText } from '../text/spoken-text.js';
import { SegmentWriter } from './segment-writer.js';
import { describePlace, lineColumn } from './source-position.js';
import { spellOut } from './spell-out.js';
import { BREAK_STRENGTHS, parseRate, parseTime } from './ssml-values.js';
import { localName, walkXml, type XmlElement, type XmlVisitor } from './xml-walker.js';

export interface SsmlReading extends SpeechDocument {
  /** Said once, for the user: what in the script had no effect. */
  warnings: string[];
}

export interface SsmlOptions {
  /** Names the input in messages: a path, or "stdin". */
  fileName?: string | undefined;
}

/**
 * Reads an SSML script (a subset of W3C SSML 1.1, as Azure, Google and Polly take it) into
 * segments: breaks become pauses, `<voice>` and `<prosody rate>` the style of the text they hold,
 * `<mark>` a mark, `<sub>` its alias, `<say-as interpret-as="characters">` its letters spelled, and
 * `<p>`/`<s>` sentence and paragraph ends. Any other element's text is spoken, and one warning
 * names what had no effect. Malformed XML or a value that cannot be read is a UsageError naming
 * its line and column; nothing is returned then.
 */
export function readSsml(text: string, options: SsmlOptions = {}): SsmlReading {
  const fileName = options.fileName ?? 'the SSML script';
  const reader = new SsmlReader(text, fileName);
  walkXml({ text, fileName, kind: 'SSML', root: 'speak' }, reader);
  return reader.result();
}

/** How text inside an element is read: spoken, spelled out, or not at all (a `<sub>`'s own text, a `<desc>`). */
type Mode = 'speak' | 'spell' | 'silent';

interface Frame {
  style: SpeechStyle;
  mode: Mode;
  close?: () => void;
}

/** Attributes that change nothing about the sound wherever they stand. */
const NEUTRAL_ATTRIBUTES = /^(xml:lang|xml:base|xml:id|id|version|xmlns(:.*)?)$/;
const SPELLED = new Set(['characters', 'spell-out', 'verbatim']);

class SsmlReader implements XmlVisitor {
  private readonly writer = new SegmentWriter();
  private readonly frames: Frame[] = [{ style: {}, mode: 'speak' }];
  /** What had no effect, in the order first met: `<emphasis>`, `<prosody pitch>`. */
  private readonly ignored = new Set<string>();
  private language: string | undefined;

  constructor(
    private readonly source: string,
    private readonly fileName: string,
  ) {}

  open(element: XmlElement): void {
    const parent = this.frames[this.frames.length - 1]!;
    const frame: Frame = { style: parent.style, mode: parent.mode };
    // Inside a <sub> or <desc> nothing is read, markup included.
    if (parent.mode !== 'silent') this.start(element, frame);
    this.frames.push(frame);
  }

  close(): void {
    this.frames.pop()?.close?.();
  }

  text(spoken: SpokenText): void {
    const { mode, style } = this.frames[this.frames.length - 1]!;
    if (mode === 'speak') this.writer.text(spoken, style);
    if (mode !== 'spell') return;
    for (const piece of spellOut(spoken)) {
      if (piece.kind === 'space') this.writer.space(piece.source);
      else this.writer.character(piece.char, piece.source, piece.joiner, style);
    }
  }

  result(): SsmlReading {
    const warnings =
      this.ignored.size === 0 ? [] : [`SSML that has no effect here, its text spoken as written: ${[...this.ignored].join(', ')}`];
    return { segments: this.writer.finish(), warnings, ...(this.language === undefined ? {} : { language: this.language }) };
  }

  /** What an element does as it opens, and what it leaves in `frame` for its content and its end. */
  private start(element: XmlElement, frame: Frame): void {
    const name = localName(element.name);
    const used = ELEMENT_ATTRIBUTES[name];
    if (used) this.noteIgnoredAttributes(element, used);
    switch (name) {
      case 'speak':
        if (this.frames.length === 1) this.language = element.attributes['xml:lang'];
        return;
      case 'p':
        this.writer.endParagraph();
        frame.close = () => this.writer.endParagraph();
        return;
      case 's':
        this.writer.endSentence();
        frame.close = () => this.writer.endSentence();
        return;
      case 'break':
        this.writer.pause(this.breakMs(element));
        return;
      case 'mark':
        this.writer.mark(this.required(element, 'name', 'the name reported with its time'));
        return;
      case 'voice':
        this.startVoice(element, frame);
        return;
      case 'prosody':
        this.startProsody(element, frame);
        return;
      case 'sub':
        this.writer.alias(this.required(element, 'alias', 'the words said instead of its text'), element.start, frame.style);
        frame.mode = 'silent';
        return;
      case 'say-as':
        this.startSayAs(element, frame);
        return;
      case 'desc':
      case 'meta':
      case 'metadata':
        // Descriptions and metadata are for readers of the file, not for listeners.
        frame.mode = 'silent';
        return;
      case 'lexicon':
        this.ignored.add('<lexicon> (give it with --lexicon)');
        frame.mode = 'silent';
        return;
      default:
        this.ignored.add(`<${element.name}>`);
    }
  }

  private startVoice(element: XmlElement, frame: Frame): void {
    const voice = element.attributes['name']?.trim();
    if (voice) frame.style = { ...frame.style, voice };
    else this.ignored.add('<voice> without a name');
  }

  private startProsody(element: XmlElement, frame: Frame): void {
    const rate = element.attributes['rate'];
    if (rate === undefined) return;
    const factor = parseRate(rate);
    if (factor === undefined) {
      this.fail(element, `<prosody rate="${rate}"> is not a rate`, 'Use x-slow, slow, medium, fast, x-fast, a percentage of the normal rate (150%), a change (+20%, -10%) or a factor (1.5).');
    }
    // Rounded, so 80% inside 125% is exactly the normal speed rather than 1.0000000000000002.
    const speed = Math.round((frame.style.speed ?? 1) * factor * 1e6) / 1e6;
    frame.style = { ...frame.style, speed: speed === 1 ? undefined : speed };
  }

  private startSayAs(element: XmlElement, frame: Frame): void {
    const interpretAs = element.attributes['interpret-as'] ?? '';
    if (SPELLED.has(interpretAs)) frame.mode = 'spell';
    else this.ignored.add(`<say-as interpret-as="${interpretAs}">`);
  }

  private breakMs(element: XmlElement): number {
    const { time, strength } = element.attributes;
    const strengthMs = strength === undefined ? BREAK_STRENGTHS['medium']! : BREAK_STRENGTHS[strength];
    if (strengthMs === undefined) {
      this.fail(element, `<break strength="${strength}"> is not a strength`, `Use one of ${Object.keys(BREAK_STRENGTHS).join(', ')}, or a time such as time="750ms".`);
    }
    if (time === undefined) return strengthMs;
    const ms = parseTime(time);
    if (ms === undefined) {
      this.fail(element, `<break time="${time}"> is not a time`, 'Give milliseconds or seconds, e.g. time="750ms" or time="1.5s", or a strength such as strength="strong".');
    }
    return ms;
  }

  private required(element: XmlElement, attribute: string, what: string): string {
    const value = element.attributes[attribute]?.trim();
    if (!value) this.fail(element, `<${element.name}> has no ${attribute}="…"`, `Its ${attribute} is ${what}.`);
    return value;
  }

  private noteIgnoredAttributes(element: XmlElement, used: readonly string[]): void {
    for (const attribute of Object.keys(element.attributes)) {
      if (!used.includes(attribute) && !NEUTRAL_ATTRIBUTES.test(attribute)) this.ignored.add(`<${element.name} ${attribute}>`);
    }
  }

  private fail(element: XmlElement, message: string, hint: string): never {
    throw new UsageError(`Invalid SSML in ${describePlace(this.fileName, lineColumn(this.source, element.start))}: ${message}`, { hint });
  }
}

/** The attributes each supported element reads; others on it are reported as having no effect. */
const ELEMENT_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  speak: [],
  p: [],
  s: [],
  break: ['time', 'strength'],
  mark: ['name'],
  voice: ['name'],
  prosody: ['rate'],
  sub: ['alias'],
  'say-as': ['interpret-as', 'format', 'detail'],
};
