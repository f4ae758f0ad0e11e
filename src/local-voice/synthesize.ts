import { Worker } from 'node:worker_threads';
import { builtModule } from '../package-files.js';
import { InterruptedError, UsageError } from '../errors.js';
import type { EspeakJob, EspeakResult } from './espeak-job.js';
import { parseVoiceTable, type EspeakVoice } from './voices.js';

const WORKER = builtModule('local-voice/espeak-worker.js');

/** eSpeak's own default pace, which --speed 1 means. */
export const DEFAULT_WPM = 175;

/** --speed as eSpeak's words per minute, within the range it can speak. */
export function wordsPerMinute(speed: number | undefined): number {
  return Math.min(450, Math.max(80, Math.round(DEFAULT_WPM * (speed ?? 1))));
}

function run(job: EspeakJob, signal: AbortSignal): Promise<EspeakResult> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new InterruptedError());
    const worker = new Worker(WORKER, { workerData: job });
    const onAbort = (): void => {
      void worker.terminate();
      reject(new InterruptedError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (result: EspeakResult) => {
      signal.removeEventListener('abort', onAbort);
      void worker.terminate();
      resolve(result);
    });
    worker.once('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
  });
}

export interface SynthesisOptions {
  /** An eSpeak voice: a language, maybe with a variant (`en-us+f3`). */
  voice: string;
  speed: number | undefined;
  sampleRate: number;
  signal: AbortSignal;
}

/** One chunk of speech as 16-bit mono samples at `sampleRate`. */
export async function synthesize(text: string, { voice, speed, sampleRate, signal }: SynthesisOptions): Promise<Uint8Array> {
  const result = await run({ text, voice, wordsPerMinute: wordsPerMinute(speed), sampleRate }, signal);
  if (!result.ok || !result.pcm) {
    const error = result.ok ? 'no audio' : result.error;
    throw new UsageError(`The built-in voice could not speak with voice "${voice}": ${error}`, {
      hint: 'List its voices with: tts voices -p local (e.g. en-us, en-gb, de, fr, es).',
    });
  }
  return result.pcm;
}

/** eSpeak's voices and the variants that may follow one after a +. */
export async function espeakVoices(signal: AbortSignal): Promise<{ voices: EspeakVoice[]; variants: string[] }> {
  const result = await run({ text: '', voice: '', wordsPerMinute: DEFAULT_WPM, sampleRate: 24_000, listVoices: true }, signal);
  if (!result.ok) throw new UsageError(`The built-in voice could not list its voices: ${result.error}`);
  return { voices: parseVoiceTable(result.voices ?? []), variants: result.variants ?? [] };
}
