import type { ChunkStore } from '../cache/chunk-store.js';
import { InterruptedError, type ProviderError } from '../errors.js';
import type { RateLimits } from '../http/rate-limit-headers.js';
import { retryDelayMs } from '../http/retry-policy.js';
import { ChunkBuffer } from './chunk-buffer.js';
import { failsEveryRequest, failureKind, RunStoppedError, stalledError, tooLongToWait } from './failure-kind.js';
import { accept, createLimiter, end, gate, refuse, stalled, start, succeed, type Hold, type LimiterState, type Ticket, type WaitReason } from './rate-policy.js';

/** One send of a request, as the task makes it. */
export interface AttemptRun {
  /** Where the audio goes; emptied before every send after the first. */
  buffer: ChunkBuffer;
  /** 1 for the first send, counting every one after it. */
  attempt: number;
  /** Ctrl-C: aborts the request at once. */
  signal: AbortSignal;
  /**
   * The provider took the request: called once its status line is in, with what it said of the rate
   * limits, so the next requests go out (or hold) without waiting for this one's audio.
   */
  accepted(limits?: RateLimits): void;
}

/** One request's audio to get: from the cache, or by sends the scheduler paces and retries. */
export interface AudioTask {
  /** The cache key: everything that changes the audio. */
  key: string;
  /** Where the request stands in the run, (job, request): lower goes first, so the job being written is never starved. */
  order: readonly [number, number];
  attempt(run: AttemptRun): Promise<void>;
  /** A retryable failure (5xx, a dropped connection) that uses up one of --retries, and the wait before the next. */
  onRetry?(error: ProviderError, attempt: number, delayMs: number): void;
  /** Refused by the rate limit: sent again when the limit allows, without using up --retries. */
  onRefused?(error: ProviderError): void;
  /** A failure for good, as the user should see it (which request, whether a rerun resumes). */
  describeFailure?(error: unknown): unknown;
}

export interface ScheduledAudio {
  /** The audio, as soon as it starts arriving (at once from the cache): a reader may follow it. */
  buffer: Promise<ChunkBuffer>;
  /** Settles when the audio is complete and kept, or has failed for good. */
  done: Promise<{ cached: boolean }>;
}

/** The run is holding its requests until `untilMs` (on the scheduler's clock), `ms` from when it said so. */
export interface RunWait {
  untilMs: number;
  ms: number;
  reason: WaitReason;
}

export interface SchedulerOptions {
  /** Requests in flight at most (-c), over every job that shares this scheduler; adapted below it. */
  concurrency: number;
  /** --rpm: requests started per minute at most, evenly spaced. */
  rpm?: number | undefined;
  store: ChunkStore;
  /** Further tries per request after the first, for failures other than rate limits. */
  retries: number;
  /** Ctrl-C: every request in flight is aborted at once. */
  interrupt: AbortSignal;
  /** Injectable, with `now`, so tests do not sleep. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  now?: (() => number) | undefined;
  random(): number;
  /** The run starts, or stops, waiting on a limit: undefined when the wait is over. */
  onWaiting?: ((wait: RunWait | undefined) => void) | undefined;
}

interface Entry {
  task: AudioTask;
  /** The job's stop: a queued task is dropped, a running one finishes but is not sent again. */
  stop: AbortSignal;
  buffer: Deferred<ChunkBuffer>;
  done: Deferred<{ cached: boolean }>;
  /** Drops the entry while it waits, if its job stops. */
  onStop(): void;
  /** The part file the audio goes into, made at the first send. */
  chunk?: Promise<Chunk>;
  sends: number;
  /** Sends that used up one of --retries. */
  retries: number;
  /** A retry's back-off: not sent before this. */
  notBefore: number;
}

interface Chunk {
  buffer: ChunkBuffer;
  part: string;
}

/**
 * Runs requests, cache first, through one rate limiter (src/schedule/rate-policy.ts): at most the
 * adapted concurrency at once, paced by what the provider says and by --rpm, in (job, request) order.
 * One scheduler serves every output and job of a run, so they share one budget. A job that fails
 * stops only its own queued requests, unless the failure is one no request can escape (a spent
 * quota, a refused key, a limit that will not reopen in time): then nothing more is sent for any job.
 * Requests already sent finish into the cache, since the provider bills them anyway and a rerun
 * should not pay twice.
 */
export class Scheduler {
  private readonly queue: Entry[] = [];
  /** Requests still being looked up in the cache: none starts ahead of one of these. */
  private readonly admitting = new Set<Entry>();
  /**
   * Requests not yet in the store, by cache key: the same text said twice in one run (a refrain, a
   * repeated heading, the same sentence in two files) is sent once, and the second waits for it.
   */
  private readonly unsettled = new Map<string, Promise<unknown>>();
  private limiter: LimiterState;
  private wake: { at: number; cancel: AbortController } | undefined;
  private shown: RunWait | undefined;
  /** Sends under way, to their audio kept or failed, and who waits for there to be none. */
  private sending = 0;
  private idleWaiters: (() => void)[] = [];
  /** Nothing starts until the job that just failed has heard of it and stopped its queued requests. */
  private paused = false;
  /**
   * A failure no request of the run can escape (a spent quota, a refused key, a limit that will not
   * reopen in time): from then on nothing is sent, for any job; the cache still serves what it has.
   */
  private stoppedBy: { error: unknown } | undefined;
  private readonly now: () => number;

  constructor(private readonly options: SchedulerOptions) {
    this.limiter = createLimiter({ concurrency: options.concurrency, rpm: options.rpm });
    this.now = options.now ?? Date.now;
  }

  run(task: AudioTask, stop: AbortSignal): ScheduledAudio {
    const entry: Entry = { task, stop, buffer: deferred(), done: deferred(), onStop: () => this.drop(entry), sends: 0, retries: 0, notBefore: -Infinity };
    void this.admit(entry);
    return { buffer: entry.buffer.promise, done: entry.done.promise };
  }

  /** Cache first: a hit costs no request and waits on no limit. */
  private async admit(entry: Entry): Promise<void> {
    // A twin already on its way (in run order, before any lookup): this one is looked up again once
    // the twin is in the store, or has failed and this one is sent itself.
    const twin = this.unsettled.get(entry.task.key);
    if (twin) return void twin.then(() => this.admit(entry));
    this.trackUnsettled(entry);
    this.admitting.add(entry);
    try {
      const cached = await this.options.store.lookup(entry.task.key);
      if (entry.stop.aborted || this.options.interrupt.aborted) {
        // Its job has stopped (and closed what it had): nothing is opened for it now.
        void this.fail(entry, new InterruptedError('Stopped before it was sent'));
      } else if (cached !== undefined) {
        entry.buffer.resolve(await ChunkBuffer.existing(cached));
        entry.done.resolve({ cached: true });
      } else {
        this.enqueue(entry);
      }
    } catch (error) {
      void this.fail(entry, error);
    } finally {
      this.admitting.delete(entry);
      this.pump();
    }
  }

  private trackUnsettled(entry: Entry): void {
    const { key } = entry.task;
    const settled = entry.done.promise.then(
      () => undefined,
      () => undefined,
    );
    this.unsettled.set(key, settled);
    void settled.then(() => this.unsettled.get(key) === settled && this.unsettled.delete(key));
  }

  /** Into the queue at its place by (job, request): a resent request goes back ahead of later ones. */
  private enqueue(entry: Entry): void {
    if (entry.stop.aborted || this.options.interrupt.aborted) return void this.fail(entry, new InterruptedError('Stopped before it was sent'));
    if (this.stoppedBy) return void this.fail(entry, new RunStoppedError(this.stoppedBy.error));
    const at = this.queue.findIndex((queued) => before(entry.task.order, queued.task.order));
    this.queue.splice(at < 0 ? this.queue.length : at, 0, entry);
    // A stopped job's queued requests go at once, not when a slot next frees up.
    entry.stop.addEventListener('abort', entry.onStop, { once: true });
  }

  private drop(entry: Entry): void {
    if (this.remove(entry)) this.pump();
  }

  private remove(entry: Entry): boolean {
    const at = this.queue.indexOf(entry);
    if (at < 0) return false;
    this.queue.splice(at, 1);
    entry.stop.removeEventListener('abort', entry.onStop);
    void this.fail(entry, new InterruptedError('Stopped before it was sent'));
    return true;
  }

  /** Starts whatever the limiter allows, in order; else arranges to look again when it may. */
  private pump(): void {
    if (this.options.interrupt.aborted) [...this.queue].forEach((entry) => this.remove(entry));
    if (this.paused) return;
    while (this.queue.length > 0) {
      const now = this.now();
      const decision = gate(this.limiter, now);
      if (decision.kind === 'slot') return this.show(undefined, now);
      if (decision.kind === 'wait') {
        this.show(decision, now);
        return this.wakeAt(decision.until);
      }
      const entry = this.queue.find((queued) => queued.notBefore <= now);
      this.show(undefined, now);
      if (!entry) return this.wakeAt(Math.min(...this.queue.map((queued) => queued.notBefore)));
      // Strict order: a request looked up a moment later in the cache may belong before this one.
      if ([...this.admitting].some((looking) => before(looking.task.order, entry.task.order))) return;
      this.launch(entry, now);
    }
    this.wake?.cancel.abort();
    this.wake = undefined;
    this.show(undefined, this.now());
  }

  /** One timer at a time, for the earliest moment something may start. */
  private wakeAt(at: number): void {
    if (this.wake && this.wake.at <= at) return;
    this.wake?.cancel.abort();
    const wake = { at, cancel: new AbortController() };
    this.wake = wake;
    const ours = (): boolean => this.wake === wake && ((this.wake = undefined), true);
    this.options.sleep(Math.max(0, at - this.now()), AbortSignal.any([wake.cancel.signal, this.options.interrupt])).then(
      () => ours() && this.pump(),
      () => ours(),
    );
  }

  private show(wait: Hold | undefined, now: number): void {
    if (wait === undefined) {
      if (this.shown === undefined) return;
      this.shown = undefined;
      return this.options.onWaiting?.(undefined);
    }
    if (this.shown?.untilMs === wait.until && this.shown.reason === wait.reason) return;
    this.shown = { untilMs: wait.until, ms: wait.until - now, reason: wait.reason };
    this.options.onWaiting?.(this.shown);
  }

  /**
   * Resolves once no request is under way. A run that fails waits for this before it closes the
   * store: requests already sent finish into the cache, since the provider bills them anyway and a
   * rerun should not pay twice. Ctrl-C aborts them, so it comes at once then.
   */
  idle(): Promise<void> {
    return this.sending === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private launch(entry: Entry, now: number): void {
    this.queue.splice(this.queue.indexOf(entry), 1);
    entry.stop.removeEventListener('abort', entry.onStop);
    const started = start(this.limiter, now);
    this.limiter = started.state;
    this.sending++;
    void this.send(entry, started.ticket).finally(() => {
      if (--this.sending === 0) this.idleWaiters.splice(0).forEach((resolve) => resolve());
    });
  }

  private async send(entry: Entry, ticket: Ticket): Promise<void> {
    let accepted = false;
    const onAccepted = (limits?: RateLimits): void => {
      if (accepted) return;
      accepted = true;
      this.limiter = accept(this.limiter, ticket, limits);
      this.pump();
    };
    let chunk: Chunk;
    try {
      chunk = await this.chunkOf(entry);
      if (entry.sends > 0) await chunk.buffer.restart();
      entry.sends++;
      await entry.task.attempt({ buffer: chunk.buffer, attempt: entry.sends, signal: this.options.interrupt, accepted: onAccepted });
    } catch (error) {
      const failing = this.failed(entry, ticket, error);
      this.pump();
      return failing;
    }
    // Audio that came whole was taken, whether or not the task said so when its status line came.
    if (!accepted) onAccepted();
    this.limiter = succeed(this.limiter, this.now());
    this.pump();
    try {
      chunk.buffer.path = await this.options.store.keep(entry.task.key, chunk.part);
      chunk.buffer.complete();
      entry.done.resolve({ cached: false });
    } catch (error) {
      await this.fail(entry, error);
    }
  }

  /** A download into a part file that readers may follow, made at the first send. */
  private chunkOf(entry: Entry): Promise<Chunk> {
    entry.chunk ??= (async () => {
      const part = await this.options.store.partPath(entry.task.key);
      const buffer = await ChunkBuffer.create(part);
      entry.buffer.resolve(buffer);
      return { buffer, part };
    })();
    return entry.chunk;
  }

  /** A send failed: the limiter learns from it, and the request goes back in the queue or fails for good. */
  private failed(entry: Entry, ticket: Ticket, error: unknown): Promise<void> | undefined {
    const now = this.now();
    const kind = this.options.interrupt.aborted || entry.stop.aborted ? { kind: 'stopped' as const } : failureKind(error);
    if (kind.kind === 'refused' && !stalled(this.limiter, now)) {
      this.limiter = refuse(this.limiter, ticket, { retryAfterMs: kind.error.details.retryAfterMs, limits: kind.error.details.limits }, now);
      entry.task.onRefused?.(kind.error);
      return void this.enqueue(entry);
    }
    this.limiter = end(this.limiter, ticket);
    if (kind.kind === 'retry' && entry.retries < this.options.retries) {
      entry.retries++;
      const delayMs = retryDelayMs(entry.retries, kind.error.details.retryAfterMs, this.options.random);
      entry.notBefore = now + delayMs;
      entry.task.onRetry?.(kind.error, entry.retries, delayMs);
      return void this.enqueue(entry);
    }
    const failure =
      kind.kind === 'stopped' ? new InterruptedError()
      : kind.kind === 'refused' ? stalledError(kind.error)
      : kind.kind === 'too-long' ? tooLongToWait(kind.error)
      : error;
    const failing = this.fail(entry, failure);
    if (kind.kind === 'refused' || kind.kind === 'too-long' || (kind.kind === 'fatal' && failsEveryRequest(error))) this.stopAll(failure);
    // A job hears of its failure through promise reactions; once they have run it has stopped, and
    // its queued requests are gone: a spent quota costs one request, not one more per free slot.
    this.paused = true;
    setImmediate(() => {
      this.paused = false;
      this.pump();
    });
    return failing;
  }

  /** Every queued request, of every job, fails with what stopped the run; none more is sent. */
  private stopAll(failure: unknown): void {
    this.stoppedBy ??= { error: failure };
    for (const entry of this.queue.splice(0)) {
      entry.stop.removeEventListener('abort', entry.onStop);
      void this.fail(entry, new RunStoppedError(this.stoppedBy.error));
    }
  }

  private async fail(entry: Entry, error: unknown): Promise<void> {
    // Described before a reader following the buffer sees it, so every path shows the same words.
    const failure = entry.task.describeFailure?.(error) ?? error;
    entry.buffer.reject(failure);
    entry.done.reject(failure);
    const chunk = await entry.chunk?.catch(() => undefined);
    if (!chunk) return;
    chunk.buffer.fail(failure);
    await this.options.store.discard(chunk.part);
  }
}

const before = (a: readonly [number, number], b: readonly [number, number]): boolean => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

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
