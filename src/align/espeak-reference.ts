import { WavReader } from '../audio/wav.js';
import { AudioError, UsageError } from '../errors.js';
import { runEspeak } from '../local-voice/espeak-module.js';
import { referenceSsml, splitReference, type Reference } from './reference-script.js';

export interface ReferenceOptions {
  /** An eSpeak voice or language: en-us, en-gb, de, fr… */
  voice: string;
  /** eSpeak's pace; its own default is 175. */
  wordsPerMinute: number;
}

/** The reference rendition of a request's cues, with each cue's exact place in it. */
export async function espeakReference(cues: readonly { text: string; endsSentence: boolean }[], options: ReferenceOptions): Promise<Reference> {
  const args = ['-m', '-v', options.voice, '-s', String(options.wordsPerMinute), '-w', '/out.wav', '-f', '/in.txt'];
  const { fs, errors } = await runEspeak(args, { '/in.txt': referenceSsml(cues.map((c) => c.text)) });
  let wav: Uint8Array;
  try {
    wav = fs.readFile('/out.wav');
  } catch {
    throw new UsageError(`The built-in voice could not speak the subtitles' reference with voice "${options.voice}": ${errors.join(' ').trim() || 'no audio'}`, {
      hint: 'Choose its voice with a language eSpeak knows (e.g. en-us, en-gb, de, fr, es): tts voices -p local lists them.',
    });
  }
  const reader = new WavReader('eSpeak reference');
  const bytes = Buffer.concat(reader.push(wav));
  const aligned = bytes.byteOffset % 2 === 0 ? bytes : Buffer.from(bytes);
  const pcm = new Int16Array(aligned.buffer, aligned.byteOffset, aligned.length >> 1);
  const reference = splitReference(pcm, reader.layout?.sampleRate ?? 22_050, cues.map((c) => c.endsSentence));
  if (!reference) throw new AudioError('The reference voice paused for a second where no cue ends, so the subtitles could not be timed.');
  return reference;
}
