import { WavReader } from '../audio/wav.js';
import { AudioError, UsageError } from '../errors.js';
import type { EspeakFs } from '../local-voice/espeak-module.js';
import { EspeakSession } from './espeak-session.js';
import { referenceSsml, splitReference, type Reference } from './reference-script.js';

/** eSpeak NG's own rate, for a run that wrote no WAV file to state one. */
const ESPEAK_RATE = 22_050;

/** One eSpeak for every reference this thread speaks. */
const session = new EspeakSession();

export interface ReferenceOptions {
  /** An eSpeak voice or language: en-us, en-gb, de, fr… */
  voice: string;
  /** eSpeak's pace; its own default is 175. */
  wordsPerMinute: number;
}

/** The reference rendition of a request's cues, with each cue's exact place in it. */
export async function espeakReference(cues: readonly { text: string; endsSentence: boolean }[], options: ReferenceOptions): Promise<Reference> {
  const args = ['-m', '-v', options.voice, '-s', String(options.wordsPerMinute), '-w', '/out.wav', '-f', '/in.txt'];
  const { fs, errors, status } = await session.run(args, { '/in.txt': referenceSsml(cues.map((c) => c.text)) }, ['/out.wav']);
  if (status !== 0) {
    throw new UsageError(`The built-in voice could not speak the subtitles' reference with voice "${options.voice}": ${errors[0]?.trim() || `eSpeak exited with ${status}`}`, {
      hint: 'Choose its voice with a language eSpeak knows (e.g. en-us, en-gb, de, fr, es): tts voices -p local lists them.',
    });
  }
  const { pcm, sampleRate } = wavSamples(fs);
  const reference = splitReference(pcm, sampleRate, cues.map((c) => c.endsSentence));
  if (!reference) throw new AudioError('The reference voice paused for a second where no cue ends, so the subtitles could not be timed.');
  return reference;
}

/** The samples of eSpeak's WAV file; none when it had nothing to say (it then writes no file). */
function wavSamples(fs: EspeakFs): { pcm: Int16Array; sampleRate: number } {
  let wav: Uint8Array;
  try {
    wav = fs.readFile('/out.wav');
    // The file system outlives the run: an idle worker should not hold the last reference.
    fs.unlink('/out.wav');
  } catch {
    return { pcm: new Int16Array(0), sampleRate: ESPEAK_RATE };
  }
  const reader = new WavReader('eSpeak reference');
  const bytes = Buffer.concat(reader.push(wav));
  // Int16Array needs an even byte offset; Buffer's pool does not promise one.
  const aligned = bytes.byteOffset % 2 === 0 ? bytes : Buffer.from(bytes);
  return { pcm: new Int16Array(aligned.buffer, aligned.byteOffset, aligned.length >> 1), sampleRate: reader.layout?.sampleRate ?? ESPEAK_RATE };
}
