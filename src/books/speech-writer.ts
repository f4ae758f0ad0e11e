import type { Segment } from '../plan/segment.js';
import { SpokenTextBuilder, type SpokenText } from '../text/spoken-text.js';

/** What goes between two words: nothing, a space, a table cell's comma, a line, a paragraph. */
export type Separator = '' | ' ' | ', ' | '\n' | '\n\n';
const RANK: Record<Separator, number> = { '': 0, ' ': 1, ', ': 2, '\n': 3, '\n\n': 4 };

/**
 * Words joined by single plain spaces, which need no collapsing: prose goes through in long pieces
 * rather than word by word. A word is broken by spaces of every kind (the no-break space too: a voice
 * reads it as a space); soft hyphens and zero-width spaces are typesetting and vanish inside it.
 */
const SPACE = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const INVISIBLE = '\\u00ad\\u200b\\ufeff';
const STRETCH = new RegExp(`[^${SPACE}${INVISIBLE}]+(?: [^${SPACE}${INVISIBLE}]+)*`, 'g');
const HAS_SPACE = new RegExp(`[${SPACE}]`);

/** A sentence already ends here, perhaps inside closing quotes or brackets. */
const SENTENCE_END = /[.!?…:;。！？‼⁇⁈⁉][\s"'”’»›)\]}]*$/u;
const PUNCTUATED = /[.,;:!?…]$/u;

/**
 * Text flowing into one SpokenText: each word copied from its place in the source, runs of whitespace
 * collapsed, and the breaks that blocks ask for (a line, a paragraph) put in only between words, so a
 * stream never starts or ends with one.
 */
export class SpeechStream {
  private readonly builder = new SpokenTextBuilder();
  private pending: Separator = '';
  private lastWord = '';

  get length(): number {
    return this.builder.textLength;
  }

  get empty(): boolean {
    return this.builder.textLength === 0;
  }

  /** Source text starting at offset `source`; with `keepLines`, its line breaks stay (as in `<pre>`). */
  text(piece: string, source: number, keepLines = false): void {
    let end = 0;
    STRETCH.lastIndex = 0;
    for (let match = STRETCH.exec(piece); match !== null; match = STRETCH.exec(piece)) {
      this.gap(piece, end, match.index, keepLines);
      this.words(match[0], source + match.index);
      end = match.index + match[0].length;
    }
    this.gap(piece, end, piece.length, keepLines);
  }

  /** Asks for at least this much between the text so far and the next word. */
  separate(separator: Separator): void {
    if (RANK[separator] > RANK[this.pending]) this.pending = separator;
  }

  /** A heading, list item or table row is heard as a sentence: one without its own stop gets a full stop. */
  endSentence(): void {
    if (this.empty || SENTENCE_END.test(this.lastWord)) return;
    this.builder.insert('.');
    this.lastWord = '.';
  }

  build(): SpokenText {
    return this.builder.build();
  }

  /** What lies between two stretches: whitespace asks for a space (or a line), invisible characters for nothing. */
  private gap(piece: string, start: number, end: number, keepLines: boolean): void {
    if (start === end) return;
    // Nearly every gap is one plain space or line break: no need to cut it out to look at it.
    const c = piece.charCodeAt(start);
    const between = end - start === 1 && (c === 0x20 || c === 0x0a) ? undefined : piece.slice(start, end);
    if (between !== undefined && !HAS_SPACE.test(between)) return;
    this.separate(keepLines && (c === 0x0a || between?.includes('\n')) ? '\n' : ' ');
  }

  /** Words already spoken as written (single spaces between them), copied in one piece. */
  private words(words: string, source: number): void {
    if (!this.empty && this.pending !== '') {
      this.builder.insert(this.pending === ', ' && PUNCTUATED.test(this.lastWord) ? ' ' : this.pending);
    }
    this.pending = '';
    this.builder.copy(words, source);
    this.lastWord = words.length > 16 ? words.slice(-16) : words;
  }
}

interface Chapter {
  /** Undefined for what comes before the first chapter mark (a cover, a title page, a lead-in). */
  title: string | undefined;
  main: SpeechStream;
  /** Footnotes and endnotes met in this chapter, heard after its text. */
  notes: SpeechStream;
}

const newChapter = (title: string | undefined): Chapter => ({ title, main: new SpeechStream(), notes: new SpeechStream() });

/** Collects a document's speech chapter by chapter, then lays it out as segments. */
export class SpeechWriter {
  private readonly chapters: Chapter[] = [newChapter(undefined)];
  /** The chapters whose notes are being written, innermost last. */
  private readonly noteChapters: Chapter[] = [];
  /** Which chapter first referred to each note (`path#id`): its notes are heard after that chapter. */
  private readonly noteRefs = new Map<string, Chapter>();
  /** Added to every source offset: where the document being read starts in the reader's input. */
  base = 0;

  /** Where text goes now: the chapter's own text, or the notes of a chapter. */
  get stream(): SpeechStream {
    const noteChapter = this.noteChapters[this.noteChapters.length - 1];
    return noteChapter ? noteChapter.notes : this.current.main;
  }

  get inNote(): boolean {
    return this.noteChapters.length > 0;
  }

  text(piece: string, source: number, keepLines = false): void {
    this.stream.text(piece, this.base + source, keepLines);
  }

  chapter(title: string): void {
    this.chapters.push(newChapter(title));
  }

  /** The text here refers to the note `target` (a marker that is not spoken). */
  noteRef(target: string): void {
    if (!this.inNote && !this.noteRefs.has(target)) this.noteRefs.set(target, this.current);
  }

  isReferred(target: string): boolean {
    return this.noteRefs.has(target);
  }

  /** A note starts: its text goes after the chapter that referred to it, else after this one. */
  beginNote(target: string | undefined): void {
    const referrer = target === undefined ? undefined : this.noteRefs.get(target);
    const chapter = referrer ?? this.noteChapters[this.noteChapters.length - 1] ?? this.current;
    this.noteChapters.push(chapter);
    chapter.notes.separate('\n\n');
  }

  endNote(): void {
    this.noteChapters.pop()?.notes.separate('\n\n');
  }

  private get current(): Chapter {
    return this.chapters[this.chapters.length - 1]!;
  }

  /**
   * A chapter mark and its speech for every chapter that has something to say. A chapter with no
   * text (two TOC entries at one place, a cover page) is left out, so no chapter is silent; text
   * before the first mark becomes a chapter titled `leadTitle`.
   */
  segments(leadTitle: string): Segment[] {
    const segments: Segment[] = [];
    let count = 0;
    for (const chapter of this.chapters) {
      if (chapter.main.empty && chapter.notes.empty) continue;
      count++;
      const title = chapter.title === undefined ? leadTitle : chapter.title || `Chapter ${count}`;
      segments.push({ kind: 'chapter', title });
      for (const stream of [chapter.main, chapter.notes]) {
        if (!stream.empty) segments.push({ kind: 'speech', text: stream.build(), style: {} });
      }
    }
    return segments;
  }
}
