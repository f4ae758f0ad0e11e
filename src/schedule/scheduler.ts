import type { ChunkStore } from '../cache/chunk-store.js';
import { InterruptedError, type ProviderError } from '../errors.js';
import { withRetries } from '../http/with-retries.js';
import { ChunkBuffer } from './chunk-buffer.js';

/** One request's audio to get: from the cache, or by attempts the scheduler retries. */
export interface AudioTask {
  /** The cache key: everything that changes the audio. */
  key: string;
  /** One attempt, writing the audio into `buffer`; `signal` aborts it (Ctrl-C). */
  attempt(buffer: ChunkBuffer, attempt: number, signal: AbortSignal): Promise<void>;
  /** A retryable failure, and the wait before trying again. */
  onRetry?(error: ProviderError, attempt: number, delayMs: number): void;
  /** A failure for good, as the user should see it (which request, whether a rerun resumes). */
  describeFailure?(error: unknown): unknown;
}

export interface ScheduledAudio {
  /** The audio, as soon as it starts arriving (at once from the cache): a reader may follow it. */
  buffer: Promise<ChunkBuffer>;
  /** Settles when the audio is complete and kept, or has failed for good. */
  done: Promise<{ cached: boolean }>;
}

export interface SchedulerOptions {
  /** Requests in flight at once, over every job that shares this scheduler. */
  concurrency: number;
  store: ChunkStore;
  /** Further tries per request after the first. */
  retries: number;
  /** Ctrl-C: every request in flight is aborted at once. */
  interrupt: AbortSignal;
  /** Injectable so tests do not sleep. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  random(): number;
}

interface Queued {
  task: AudioTask;
  /** The job's stop: a queued task is dropped, a running one finishes but is not retried. */
  stop: AbortSignal;
  buffer: Deferred<ChunkBuffer>;
  done: Deferred<{ cached: boolean }>;
  /** Drops the entry while it waits, if its job stops. */
  onStop(): void;
}

/**
 * Runs requests, cache first, at most `concurrency` at a time, retrying what may pass. One scheduler
 * serves every output and job of a run, so they share one budget. A job that fails stops only its
 * own queued requests; requests already sent finish into the cache, since the provider bills them
 * anyway and a rerun should not pay twice.
 */
export class Scheduler {
  private readonly queue: Queued[] = [];
  private running = 0;

  constructor(private readonly options: SchedulerOptions) {}

  run(task: AudioTask, stop: AbortSignal): ScheduledAudio {
    const entry: Queued = { task, stop, buffer: deferred(), done: deferred(), onStop: () => this.drop(entry) };
    this.queue.push(entry);
    // A stopped job's queued requests go at once, not when a slot next frees up.
    stop.addEventListener('abort', entry.onStop, { once: true });
    this.pump();
    return { buffer: entry.buffer.promise, done: entry.done.promise };
  }

  private drop(entry: Queued): void {
    const at = this.queue.indexOf(entry);
    if (at < 0) return;
    this.queue.splice(at, 1);
    entry.stop.removeEventListener('abort', entry.onStop);
    const why = new InterruptedError('Stopped before it was sent');
    entry.buffer.reject(why);
    entry.done.reject(why);
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.queue.length > 0) {
      const entry = this.queue.shift()!;
      if (entry.stop.aborted || this.options.interrupt.aborted) {
        this.queue.unshift(entry);
        this.drop(entry);
        continue;
      }
      entry.stop.removeEventListener('abort', entry.onStop);
      this.running++;
      void this.start(entry).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async start(entry: Queued): Promise<void> {
    try {
      const cached = await this.options.store.lookup(entry.task.key);
      if (cached !== undefined) {
        entry.buffer.resolve(await ChunkBuffer.existing(cached));
        entry.done.resolve({ cached: true });
        return;
      }
      await this.fetch(entry);
      entry.done.resolve({ cached: false });
    } catch (error) {
      entry.buffer.reject(error);
      entry.done.reject(error);
    }
  }

  /** A miss: download into a part file that readers may follow, then keep it. */
  private async fetch(entry: Queued): Promise<void> {
    const { store, interrupt } = this.options;
    const part = await store.partPath(entry.task.key);
    const buffer = await ChunkBuffer.create(part);
    entry.buffer.resolve(buffer);
    try {
      await withRetries(
        async (attempt) => {
          if (attempt > 1) await buffer.restart();
          await entry.task.attempt(buffer, attempt, interrupt);
        },
        { retries: this.options.retries, signal: anySignal(entry.stop, interrupt), sleep: this.options.sleep, random: this.options.random, onRetry: (error, attempt, delayMs) => entry.task.onRetry?.(error, attempt, delayMs) },
      );
      buffer.path = await store.keep(entry.task.key, part);
      buffer.complete();
    } catch (error) {
      // Described before a reader following the buffer sees it, so every path shows the same words.
      const failure = entry.task.describeFailure?.(error) ?? error;
      buffer.fail(failure);
      await store.discard(part);
      throw failure;
    }
  }
}

const anySignal = (a: AbortSignal, b: AbortSignal): AbortSignal => AbortSignal.any([a, b]);

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** A promise settled from outside; its rejection is observed, since nobody may be waiting yet. */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
