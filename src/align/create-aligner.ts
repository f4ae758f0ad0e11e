import { Worker } from 'node:worker_threads';
import { builtModule } from '../package-files.js';
import { AudioError, InterruptedError, UsageError } from '../errors.js';
import { wordsPerMinute } from '../local-voice/synthesize.js';
import type { CueTime } from './align-cues.js';
import type { AlignJob, WorkerAnswer, WorkerJob } from './align-job.js';

const WORKER = builtModule('align/align-worker.js');

export interface AlignerOptions {
  /** The eSpeak voice references are spoken with unless a job names another; en-us by default. */
  voice?: string;
}

export interface Aligner {
  /** Each cue's start and end in the job's audio, in seconds. Jobs run one after another. */
  align(job: AlignJob, options?: { signal?: AbortSignal }): Promise<CueTime[]>;
  /** Ends the worker; the running job and those still waiting are refused. */
  close(): Promise<void>;
}

/**
 * Times subtitles off the calling thread. One worker keeps eSpeak loaded between jobs; it starts
 * with the first job and, while it has nothing to do, does not keep the process alive.
 */
export function createAligner(options: AlignerOptions = {}): Aligner {
  const queue = new AlignQueue(options.voice ?? 'en-us');
  return { align: (job, { signal } = {}) => queue.add(job, signal), close: () => queue.close() };
}

interface Pending {
  job: WorkerJob;
  resolve: (cues: CueTime[]) => void;
  reject: (error: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * Jobs wait in order and go to the worker one at a time. Aborting a waiting job drops it; aborting
 * the running one ends the worker (its work is synchronous and cannot be interrupted otherwise),
 * and the next job starts a new one.
 */
class AlignQueue {
  private readonly waiting: Pending[] = [];
  private running: Pending | undefined;
  private worker: Worker | undefined;
  private nextId = 1;
  private closed = false;

  constructor(private readonly voice: string) {}

  add(job: AlignJob, signal: AbortSignal | undefined): Promise<CueTime[]> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new AudioError('The subtitle aligner is closed'));
      if (signal?.aborted) return reject(new InterruptedError());
      const workerJob: WorkerJob = {
        id: this.nextId++,
        pcm: ownView(job.pcm),
        sampleRate: job.sampleRate ?? 24_000,
        cues: job.cues.map((c) => ({ text: c.text, endsSentence: c.endsSentence })),
        voice: job.voice ?? this.voice,
        wordsPerMinute: wordsPerMinute(job.speed),
      };
      const pending: Pending = { job: workerJob, resolve, reject, signal, onAbort: () => this.abort(pending) };
      signal?.addEventListener('abort', pending.onAbort, { once: true });
      this.waiting.push(pending);
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const refused = [...this.waiting.splice(0), ...(this.running ? [this.running] : [])];
    for (const pending of refused) this.settle(pending).reject(new AudioError('The subtitle aligner was closed before this job was done'));
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private pump(): void {
    if (this.running || this.closed) return;
    const next = this.waiting.shift();
    if (!next) return void this.worker?.unref();
    this.running = next;
    this.worker ??= this.startWorker();
    this.worker.ref();
    this.worker.postMessage(next.job);
  }

  private startWorker(): Worker {
    const worker = new Worker(WORKER);
    worker.on('message', (answer: WorkerAnswer) => {
      const pending = this.running;
      if (!pending || pending.job.id !== answer.id) return;
      this.settle(pending);
      if (answer.ok) pending.resolve(answer.cues);
      else pending.reject(answer.kind === 'usage' ? new UsageError(answer.message, { hint: answer.hint }) : new AudioError(answer.message, { hint: answer.hint }));
      this.pump();
    });
    worker.on('error', (error) => this.lost(worker, new AudioError(`The subtitle aligner failed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => this.lost(worker, new AudioError(`The subtitle aligner stopped (exit code ${code})`)));
    return worker;
  }

  /** The worker died by itself (it is no longer `this.worker` when this queue ended it). */
  private lost(worker: Worker, error: AudioError): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    if (this.running) this.settle(this.running).reject(error);
    this.pump();
  }

  private abort(pending: Pending): void {
    const at = this.waiting.indexOf(pending);
    if (at >= 0) this.waiting.splice(at, 1);
    if (this.running === pending) {
      void this.worker?.terminate();
      this.worker = undefined;
    }
    this.settle(pending).reject(new InterruptedError());
    this.pump();
  }

  /** Forgets a job that is about to be answered. */
  private settle(pending: Pending): Pending {
    pending.signal?.removeEventListener('abort', pending.onAbort);
    if (this.running === pending) this.running = undefined;
    return pending;
  }
}

/**
 * Posting a typed array copies the whole buffer under it; a view of part of a larger buffer (a
 * Buffer from Node's pool, say) is copied alone first.
 */
function ownView<T extends Int16Array | Uint8Array | string>(pcm: T): T {
  if (typeof pcm === 'string' || pcm.byteLength === pcm.buffer.byteLength) return pcm;
  return pcm.slice() as T;
}
