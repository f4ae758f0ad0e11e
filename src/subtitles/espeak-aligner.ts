import { createAligner } from '../align/create-aligner.js';
import type { CueAligner } from './cue-timer.js';

/**
 * The cue timer's aligner: each request's audio warped onto eSpeak NG speaking the same cues (in a
 * worker), each sentence change then placed in the pause it points into. `voice` is the eSpeak voice
 * the reference is spoken with: the text's language.
 */
export function espeakAligner(voice: string): CueAligner {
  const aligner = createAligner({ voice });
  return {
    align: ({ audio, cues, requestText, speed }, signal) =>
      aligner.align(
        { pcm: audio.samples, sampleRate: audio.sampleRate, speed, cues: cues.map((c) => ({ text: requestText.slice(c.start, c.end), endsSentence: c.endsSentence })) },
        { signal },
      ),
    close: () => aligner.close(),
  };
}

/** eSpeak voices for the languages books and scripts declare; others are read as English. */
const LANGUAGES = new Set(['en', 'de', 'fr', 'es', 'it', 'pt', 'nl', 'sv', 'pl', 'ru', 'cmn', 'ja', 'hi', 'ar', 'da', 'fi', 'nb', 'cs', 'el', 'tr', 'uk', 'hu', 'ro', 'ko', 'vi', 'id']);

/** The reference voice for text in `language` (a BCP 47 tag such as en-GB or de), else en-us. */
export function referenceVoice(language: string | undefined): string {
  const tag = (language ?? '').toLowerCase().replace('_', '-');
  if (tag === 'en-gb') return 'en-gb';
  const base = tag.split('-')[0] ?? '';
  if (base === 'zh') return 'cmn';
  return base !== 'en' && LANGUAGES.has(base) ? base : 'en-us';
}
