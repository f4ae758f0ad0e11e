import type { SpokenText } from '../text/spoken-text.js';

/**
 * How a stretch of speech is spoken, where it differs from the run's settings (the flags and config).
 * A reader sets only what its input says: a `<voice>` sets the voice, a dialogue line its speaker's.
 */
export interface SpeechStyle {
  voice?: string | undefined;
  /** Multiplied with --speed; the product is kept within the provider's 0.25–4. */
  speed?: number | undefined;
  instructions?: string | undefined;
}

/**
 * What every reader (plain text, Markdown, SSML, a dialogue, a book) turns its input into, in order.
 * The planner makes requests from these: a request never mixes styles and never straddles a pause
 * or a chapter.
 */
export type Segment =
  /** Text to speak, with its map back to the input. Paragraph breaks inside it stay as "\n\n". */
  | { kind: 'speech'; text: SpokenText; style: SpeechStyle }
  /** Exact silence, made here. */
  | { kind: 'pause'; ms: number }
  /**
   * A chapter starts here (a book's chapter, a Markdown heading, one file of several). `number` is
   * its place in the whole book when only some chapters are spoken (--chapters), from 1.
   */
  | { kind: 'chapter'; title: string; number?: number | undefined }
  /** A named point in time, reported in the --subtitles JSON (SSML `<mark name>`). */
  | { kind: 'mark'; name: string };

/** What a reader found besides the segments: a book's metadata. */
export interface DocumentInfo {
  title?: string | undefined;
  author?: string | undefined;
  language?: string | undefined;
  cover?: { mime: string; data: Uint8Array } | undefined;
}

export interface SpeechDocument extends DocumentInfo {
  segments: Segment[];
}
