/**
 * The aligner's thread: it keeps eSpeak compiled, and for each job speaks the reference, warps
 * the request's audio onto it and answers with the cues' times. Jobs come one at a time.
 */
import { readFile } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { WavReader } from '../audio/wav.js';
import { AudioError, TtsError } from '../errors.js';
import { alignCues } from './align-cues.js';
import type { WorkerAnswer, WorkerJob } from './align-job.js';
import { espeakReference } from './espeak-reference.js';
import type { Signal } from './levels.js';
import { s16leToSignal, samplesToSignal } from './pcm.js';

async function targetSignal(job: WorkerJob): Promise<Signal> {
  if (job.pcm instanceof Int16Array) return samplesToSignal(job.pcm, job.sampleRate);
  const bytes = typeof job.pcm === 'string' ? await readFile(job.pcm) : job.pcm;
  const isWav = bytes.length >= 12 && Buffer.from(bytes.buffer, bytes.byteOffset, 4).toString('latin1') === 'RIFF';
  if (!isWav) return s16leToSignal(bytes, job.sampleRate);
  const reader = new WavReader(typeof job.pcm === 'string' ? job.pcm : 'the audio to align');
  const samples = Buffer.concat(reader.push(bytes));
  const layout = reader.layout;
  if (!layout) throw new AudioError('The audio to align is a WAV file without its data chunk');
  if (layout.formatTag !== 1 || layout.bitsPerSample !== 16 || layout.channels !== 1) {
    throw new AudioError(`Subtitles are timed on 16-bit mono PCM, not ${layout.bitsPerSample}-bit ${layout.channels}-channel audio`);
  }
  return s16leToSignal(samples, layout.sampleRate);
}

async function run(job: WorkerJob): Promise<WorkerAnswer> {
  try {
    const target = await targetSignal(job);
    const reference = await espeakReference(job.cues, { voice: job.voice, wordsPerMinute: job.wordsPerMinute });
    return { id: job.id, ok: true, cues: alignCues({ target, reference: reference.signal, cues: reference.cues }) };
  } catch (error) {
    const kind = error instanceof TtsError && error.kind === 'usage' ? 'usage' : 'audio';
    const hint = error instanceof TtsError ? error.hint : undefined;
    const message = error instanceof Error ? error.message : String(error);
    return { id: job.id, ok: false, kind, message, ...(hint === undefined ? {} : { hint }) };
  }
}

let queue = Promise.resolve();
parentPort!.on('message', (job: WorkerJob) => {
  queue = queue.then(async () => parentPort!.postMessage(await run(job)));
});
