/**
 * Synthesizes one chunk with eSpeak NG (compiled to WebAssembly) in a worker thread: the call is
 * synchronous and would otherwise block Ctrl-C, progress and the speakers for its duration.
 * The text goes in through eSpeak's virtual file system, so nothing in it is taken for an option.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { resampleS16 } from '../audio/resample.js';
import { WavReader } from '../audio/wav.js';
import type { EspeakJob, EspeakResult } from './espeak-job.js';
import { runEspeak, type EspeakFs } from './espeak-module.js';

const DATA = '/usr/local/share/espeak-ng-data';

/** Every file name below `dir` in the module's file system, lower-cased. */
function names(fs: EspeakFs, dir: string): Set<string> {
  const found = new Set<string>();
  const walk = (path: string): void => {
    for (const name of fs.readdir(path)) {
      if (name === '.' || name === '..') continue;
      const child = `${path}/${name}`;
      if (fs.isDir(fs.stat(child).mode)) walk(child);
      else found.add(name.toLowerCase());
    }
  };
  walk(dir);
  return found;
}

const job = workerData as EspeakJob;
const args = job.listVoices ? ['--voices'] : ['-v', job.voice, '-s', String(job.wordsPerMinute), '-w', '/out.wav', '-f', '/in.txt'];
const { fs, lines, errors } = await runEspeak(args, job.listVoices ? {} : { '/in.txt': job.text });

let result: EspeakResult;
if (job.listVoices) {
  result = { ok: true, voices: lines.slice(1), variants: [...names(fs, `${DATA}/voices/!v`)] };
} else {
  let wav: Uint8Array | undefined;
  try {
    wav = fs.readFile('/out.wav');
  } catch {
    wav = undefined;
  }
  // The project's own WAV reader, rather than assuming a 44-byte header.
  const reader = new WavReader('eSpeak output');
  const samples = wav ? reader.push(wav) : [];
  if (!reader.layout || samples.length === 0) {
    result = { ok: false, error: errors.join(' ').trim() || 'eSpeak made no audio' };
  } else {
    result = { ok: true, pcm: resampleS16(Buffer.concat(samples), reader.layout.sampleRate, job.sampleRate) };
  }
}
parentPort!.postMessage(result);
