/**
 * Synthesizes one chunk with eSpeak NG (compiled to WebAssembly) in a worker thread: the call is
 * synchronous and would otherwise block Ctrl-C, progress and the speakers for its duration.
 * The text goes in through eSpeak's virtual file system, so nothing in it is taken for an option.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { resampleS16 } from '../audio/resample.js';
import { WavReader } from '../audio/wav.js';
import type { EspeakJob, EspeakResult } from './espeak-job.js';

interface EspeakModule {
  FS: {
    writeFile(path: string, data: string): void;
    readFile(path: string): Uint8Array;
    readdir(path: string): string[];
    stat(path: string): { mode: number };
    isDir(mode: number): boolean;
  };
}

type EspeakFactory = (options: Record<string, unknown>) => Promise<EspeakModule>;

const DATA = '/usr/local/share/espeak-ng-data';

/** Every file name below `dir` in the module's file system, lower-cased. */
function names(fs: EspeakModule['FS'], dir: string): Set<string> {
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
const errors: string[] = [];
const { default: ESpeakNg } = (await import('espeak-ng' as string)) as { default: EspeakFactory };
const args = job.listVoices ? ['--voices'] : ['-v', job.voice, '-s', String(job.wordsPerMinute), '-w', '/out.wav', '-f', '/in.txt'];
const lines: string[] = [];
const espeak = await ESpeakNg({
  arguments: args,
  preRun: [(m: EspeakModule) => m.FS.writeFile('/in.txt', job.text)],
  print: (line: string) => lines.push(line),
  printErr: (line: string) => errors.push(line),
});

let result: EspeakResult;
if (job.listVoices) {
  result = { ok: true, voices: lines.slice(1), variants: [...names(espeak.FS, `${DATA}/voices/!v`)] };
} else {
  let wav: Uint8Array | undefined;
  try {
    wav = espeak.FS.readFile('/out.wav');
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
