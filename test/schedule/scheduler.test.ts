import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { DiskCache } from '../../src/cache/chunk-store.js';
import { InterruptedError, ProviderError } from '../../src/errors.js';
import type { RateLimits } from '../../src/http/rate-limit-headers.js';
import type { ChunkBuffer } from '../../src/schedule/chunk-buffer.js';
import { RunStoppedError } from '../../src/schedule/failure-kind.js';
import { RESET_MARGIN_MS } from '../../src/schedule/rate-policy.js';
import { Scheduler, type AttemptRun, type AudioTask, type RunWait, type SchedulerOptions } from '../../src/schedule/scheduler.js';

const dirs: string[] = [];
/** Every buffer a test's runs opened: closed after it, as a job closes its own. */
const opened: Promise<ChunkBuffer>[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((b) => b.then((buffer) => buffer.close(), () => undefined)));
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

/**
 * Time that moves only when the test says: a sleep waits for `fire()`. A test fires once the run has
 * done all it can at the current time, so it sees exactly when each request starts, and waits for none.
 */
class ManualClock {
  time = 1_000_000;
  readonly slept: number[] = [];
  private timers: { at: number; resolve(): void }[] = [];
  now = (): number => this.time;
  sleep = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new InterruptedError());
      const timer = { at: this.time + ms, resolve };
      this.slept.push(ms);
      this.timers.push(timer);
      signal.addEventListener('abort', () => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(new InterruptedError());
      }, { once: true });
    });

  get pending(): number {
    return this.timers.length;
  }

  /** Moves to the earliest timer and lets it go. */
  fire(): void {
    const next = this.timers.sort((a, b) => a.at - b.at).shift()!;
    this.time = Math.max(this.time, next.at);
    next.resolve();
  }

  /** Fires each timer as soon as one is set, until `done` settles: for runs where only the scheduler sleeps. */
  async runUntil(done: Promise<unknown>): Promise<void> {
    let settled = false;
    void done.then(() => (settled = true), () => (settled = true));
    for (;;) {
      await until(() => settled || this.pending > 0);
      if (settled) return;
      this.fire();
    }
  }
}

interface Setup {
  scheduler: Scheduler;
  store: DiskCache;
  clock: ManualClock;
  waits: (RunWait | undefined)[];
}

function setup(options: Partial<SchedulerOptions> = {}): Setup {
  const dir = mkdtempSync(join(tmpdir(), 'tts-sched-'));
  dirs.push(dir);
  const store = new DiskCache(dir, 1e9);
  const clock = new ManualClock();
  const waits: (RunWait | undefined)[] = [];
  const scheduler = new Scheduler({
    concurrency: 2,
    store,
    retries: 2,
    interrupt: new AbortController().signal,
    sleep: clock.sleep,
    now: clock.now,
    random: () => 0,
    onWaiting: (wait) => waits.push(wait),
    ...options,
  });
  const run = scheduler.run.bind(scheduler);
  scheduler.run = (task, stop) => {
    const scheduled = run(task, stop);
    opened.push(scheduled.buffer);
    return scheduled;
  };
  return { scheduler, store, clock, waits };
}

let keys = 0;
const key = (): string => String(++keys).padStart(64, 'k');

/** What the fake provider does with one send: accept (with readings) and answer, or refuse. */
type Answer = { limits?: RateLimits } | ProviderError;

/** A task whose sends are answered from a script, in order; the last answer repeats. */
function scripted(order: [number, number], answers: Answer[], log: string[], clock: ManualClock): AudioTask & { starts: number[] } {
  const starts: number[] = [];
  return {
    key: key(),
    order,
    starts,
    attempt: async (run: AttemptRun) => {
      starts.push(clock.now());
      log.push(order.join('.'));
      const answer = answers[Math.min(run.attempt - 1, answers.length - 1)]!;
      if (answer instanceof ProviderError) throw answer;
      run.accepted(answer.limits);
      await run.buffer.append(Buffer.from(`audio ${order.join('.')}`));
    },
  };
}

/**
 * A task whose every send waits until the test accepts it (the status line is in) and releases it
 * (the audio has come, or `error` was the answer), so a test can see what runs at once.
 */
function gated(order: [number, number], log: string[]): AudioTask & { release(error?: unknown): void; accept(): void } {
  let sends: { release(error?: unknown): void; accept(): void }[] = [];
  return {
    key: key(),
    order,
    release: (error) => sends.shift()!.release(error),
    accept: () => sends[0]!.accept(),
    attempt: async (run) => {
      const answered = new Promise<unknown>((release, _reject) => {
        sends = [...sends, { release, accept: () => run.accepted() }];
      });
      log.push(`start ${order.join('.')}`);
      const error = await answered;
      if (error) throw error;
      run.accepted();
      await run.buffer.append(Buffer.from('audio'));
    },
  };
}

const rateLimited = (details: Partial<ProviderError['details']> = {}): ProviderError =>
  new ProviderError('openai answered 429: Rate limit reached', { provider: 'openai', status: 429, retryable: true, ...details });

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));
/** Waits (briefly) until `check` holds: cache lookups and part files are file system calls. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
}
const never = () => new AbortController().signal;

describe('the scheduler', () => {
  test('the same request twice in a run is sent once: the second is served from the first', async () => {
    const { scheduler, clock } = setup({ concurrency: 4 });
    const log: string[] = [];
    const first = gated([0, 0], log);
    const twin = { ...scripted([0, 1], [{}], log, clock), key: first.key };
    // The twin comes once the first is on its way (had both been looked up at once, whichever the
    // cache answered first would be the one sent).
    const runs = [scheduler.run(first, never())];
    await until(() => log.length >= 1);
    runs.push(scheduler.run(twin, never()));
    await tick();
    expect(log).toEqual(['start 0.0']);
    first.release();
    expect(await runs[0]!.done).toEqual({ cached: false });
    expect(await runs[1]!.done).toEqual({ cached: true });
    expect(log).toEqual(['start 0.0']);
    expect(readFileSync((await runs[1]!.buffer).path, 'utf8')).toBe('audio');
  });

  test('if the first of two twins fails for good, the second is sent itself', async () => {
    const { scheduler, clock } = setup({ concurrency: 4, retries: 0 });
    const log: string[] = [];
    const first = gated([0, 0], log);
    const twin = { ...scripted([0, 1], [{}], log, clock), key: first.key };
    const runs = [scheduler.run(first, never()), scheduler.run(twin, never())];
    await until(() => log.length >= 1);
    first.release(new ProviderError('openai answered 400: bad', { provider: 'openai', status: 400, retryable: false }));
    await expect(runs[0]!.done).rejects.toThrow(/bad/);
    expect(await runs[1]!.done).toEqual({ cached: false });
    expect(log).toEqual(['start 0.0', '0.1']);
  });

  test('runs at most `concurrency` requests at once; the next starts when one finishes', async () => {
    const { scheduler } = setup({ concurrency: 2 });
    const log: string[] = [];
    const tasks = [0, 1, 2].map((i) => gated([0, i], log));
    const runs = tasks.map((t) => scheduler.run(t, never()));
    await until(() => log.length >= 2);
    await tick();
    expect([...log].sort()).toEqual(['start 0.0', 'start 0.1']);
    tasks[0]!.release();
    await runs[0]!.done;
    await until(() => log.length >= 3);
    expect(log[2]).toBe('start 0.2');
    tasks[1]!.release();
    tasks[2]!.release();
    await Promise.all(runs.map((r) => r.done));
  });

  test('the queue is in (job, request) order: a later job never jumps ahead of the one being written', async () => {
    const { scheduler, clock } = setup({ concurrency: 1 });
    const log: string[] = [];
    const first = gated([1, 0], log);
    const runs = [scheduler.run(first, never())];
    await until(() => log.length === 1);
    for (const order of [[1, 1], [1, 2], [0, 3], [0, 4], [2, 0]] as [number, number][]) runs.push(scheduler.run(scripted(order, [{}], log, clock), never()));
    await tick();
    first.release();
    await Promise.all(runs.map((r) => r.done));
    expect(log).toEqual(['start 1.0', '0.3', '0.4', '1.1', '1.2', '2.0']);
  });

  test('a kept request is served from the cache without a send, and without waiting on the limit', async () => {
    const { scheduler, clock } = setup({ rpm: 1 });
    let sends = 0;
    const task: AudioTask = { key: key(), order: [0, 0], attempt: async (run) => (sends++, run.accepted(), run.buffer.append(Buffer.from('audio'))) };
    await scheduler.run(task, never()).done;
    const again = scheduler.run(task, never());
    expect(await again.done).toEqual({ cached: true });
    const buffer = await again.buffer;
    expect(readFileSync(buffer.path, 'utf8')).toBe('audio');
    await buffer.close();
    expect(sends).toBe(1);
    expect(clock.slept).toEqual([]);
  });

  test("retry-after holds every request of the run for that long, and does not use up --retries", async () => {
    const { scheduler, clock, waits } = setup({ retries: 0, concurrency: 2 });
    const log: string[] = [];
    const refusedTwice = scripted([0, 0], [rateLimited({ retryAfterMs: 3000 }), rateLimited({ retryAfterMs: 3000 }), {}], log, clock);
    const inFlight = gated([0, 1], log);
    const third = scripted([0, 2], [{}], log, clock);
    const start = clock.now();
    const runs = [refusedTwice, inFlight, third].map((t) => scheduler.run(t, never()));
    await until(() => log.length === 2 && clock.pending === 1);
    // A slot frees at once, but the hold is the key's, not one request's: the third waits too.
    inFlight.release();
    await runs[1]!.done;
    await tick();
    expect(log).toHaveLength(2);
    const all = Promise.all(runs.map((r) => r.done));
    await clock.runUntil(all);
    expect(await all).toEqual([{ cached: false }, { cached: false }, { cached: false }]);
    expect(refusedTwice.starts.map((t) => t - start)).toEqual([0, 3000, 6000]);
    // A 429 with no readings among others in flight may be a parallel cap: one at a time after it.
    expect(third.starts.map((t) => t - start)).toEqual([6000]);
    expect(waits.filter((w) => w !== undefined)).toEqual([
      { untilMs: start + 3000, ms: 3000, reason: 'retry-after' },
      { untilMs: start + 6000, ms: 3000, reason: 'retry-after' },
    ]);
    expect(waits.at(-1)).toBeUndefined();
  });

  test('paces before a refusal: once the reported budget is spent, new requests wait for its reset', async () => {
    const { scheduler, clock, waits } = setup({ concurrency: 2 });
    const log: string[] = [];
    const start = clock.now();
    // A quota of 3 resetting 2 s after each request was sent: the third request's answer says none left.
    const limits = (remaining: number): RateLimits => ({ requests: { remaining, resetMs: 2000 } });
    const tasks = [2, 1, 0, 2, 1].map((remaining, i) => scripted([0, i], [{ limits: limits(remaining) }], log, clock));
    const all = Promise.all(tasks.map((t) => scheduler.run(t, never()).done));
    await until(() => log.length === 3 && clock.pending === 1);
    clock.fire();
    await all;
    expect(tasks.map((t) => t.starts[0]! - start)).toEqual([0, 0, 0, 2000 + RESET_MARGIN_MS, 2000 + RESET_MARGIN_MS]);
    expect(waits[0]).toEqual({ untilMs: start + 2000 + RESET_MARGIN_MS, ms: 2000 + RESET_MARGIN_MS, reason: 'quota' });
  });

  test('the first request sent at a reset goes alone until the provider takes it; then the rest of the window goes', async () => {
    const { scheduler, clock } = setup({ concurrency: 4 });
    const log: string[] = [];
    const spent = scripted([0, 0], [{ limits: { requests: { remaining: 0, resetMs: 1000, limit: 3 } } }], log, clock);
    await scheduler.run(spent, never()).done;
    const probe = gated([0, 1], log);
    const rest = [2, 3].map((i) => scripted([0, i], [{}], log, clock));
    const runs = [probe, ...rest].map((t) => scheduler.run(t, never()));
    await until(() => clock.pending === 1);
    clock.fire();
    await until(() => log.length === 2);
    await tick();
    expect(log).toEqual(['0.0', 'start 0.1']);
    probe.accept();
    await Promise.all(runs.slice(1).map((r) => r.done));
    // Both at once (which logs first depends on the file system).
    expect(log.slice(0, 2)).toEqual(['0.0', 'start 0.1']);
    expect(log.slice(2).sort()).toEqual(['0.2', '0.3']);
    probe.release();
    await runs[0]!.done;
  });

  test('a request sent at a reset whose task never says its status line came still lets the others go once its audio is whole', async () => {
    const { scheduler, clock } = setup({ concurrency: 4 });
    const log: string[] = [];
    await scheduler.run(scripted([0, 0], [{ limits: { requests: { remaining: 0, resetMs: 1000, limit: 3 } } }], log, clock), never()).done;
    const silent: AudioTask = { key: key(), order: [0, 1], attempt: async (run) => void log.push('silent', String(run.attempt)) };
    const runs = [silent, scripted([0, 2], [{}], log, clock)].map((t) => scheduler.run(t, never()));
    await clock.runUntil(Promise.all(runs.map((r) => r.done)));
    expect(log).toEqual(['0.0', 'silent', '1', '0.2']);
  });

  test('a 429 with no words while others are in flight is a parallel cap: fewer at once, resent without waiting', async () => {
    const { scheduler, clock } = setup({ concurrency: 4 });
    const log: string[] = [];
    const tasks = [0, 1, 2, 3].map((i) => gated([0, i], log));
    const runs = tasks.map((t) => scheduler.run(t, never()));
    await until(() => log.length === 4);
    // Requests 2 and 3 are refused while four were out: the server carried two, so two at once from now on.
    tasks[2]!.release(rateLimited());
    tasks[3]!.release(rateLimited());
    await tick();
    expect(log).toHaveLength(4);
    tasks[0]!.release();
    await runs[0]!.done;
    await until(() => log.length === 5);
    await tick();
    expect(log.slice(4)).toEqual(['start 0.2']);
    tasks[1]!.release();
    await runs[1]!.done;
    await until(() => log.length === 6);
    expect(log.slice(5)).toEqual(['start 0.3']);
    expect(clock.slept).toEqual([]);
    tasks[2]!.release();
    tasks[3]!.release();
    await Promise.all(runs.map((r) => r.done));
  });

  test('refused alone, with no words: backs off for the run, then gives up after 10 minutes without a success', async () => {
    const { scheduler, clock, waits } = setup({ retries: 0 });
    const log: string[] = [];
    const refused = scripted([0, 0], [rateLimited()], log, clock);
    const run = scheduler.run(refused, never());
    await clock.runUntil(run.done);
    await expect(run.done).rejects.toThrow(/Rate limit reached; nothing has succeeded for 10 min, so tts gives up/);
    expect(clock.slept.slice(0, 6)).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
    expect(refused.starts.at(-1)! - refused.starts[0]!).toBeGreaterThanOrEqual(600_000);
    expect(refused.starts.length).toBeGreaterThan(70);
    expect(waits.find((w) => w !== undefined)?.reason).toBe('refused');
  });

  test('server errors use up --retries, each after its back-off, without holding the other requests', async () => {
    const { scheduler, clock } = setup({ retries: 2, concurrency: 1 });
    const log: string[] = [];
    const failing = scripted([0, 0], [new ProviderError('busy', { provider: 'p', status: 503, retryable: true })], log, clock);
    const other = scripted([0, 1], [{}], log, clock);
    const start = clock.now();
    const runs = [scheduler.run(failing, never()), scheduler.run(other, never())];
    await clock.runUntil(runs[0]!.done);
    await expect(runs[0]!.done).rejects.toThrow('busy');
    await runs[1]!.done;
    expect(failing.starts.map((t) => t - start)).toEqual([0, 500, 1500]);
    expect(other.starts[0]! - start).toBe(0);
  });

  test('a 429 no wait will fix (a spent quota) fails at once: nothing more is sent', async () => {
    const { scheduler, clock } = setup({ concurrency: 2 });
    const log: string[] = [];
    const dead = scripted([0, 0], [new ProviderError('You exceeded your current quota', { provider: 'openai', status: 429, retryable: false, code: 'insufficient_quota' })], log, clock);
    const inFlight = gated([0, 1], log);
    const queued = [2, 3, 4].map((i) => scripted([0, i], [{}], log, clock));
    const stop = new AbortController();
    const runs = [dead, inFlight, ...queued].map((t) => scheduler.run(t, stop.signal));
    // As a job does: its first failure for good stops it, and what it had queued is dropped, never sent.
    for (const run of runs) run.done.catch(() => stop.abort());
    await expect(runs[0]!.done).rejects.toThrow(/current quota/);
    await tick();
    inFlight.release();
    await Promise.allSettled(runs.map((r) => r.done));
    expect([...log].sort()).toEqual(['0.0', 'start 0.1']);
    // The one already sent finished (into the cache: the provider bills it anyway).
    expect(await runs[1]!.done).toEqual({ cached: false });
  });

  test.each([
    ['a spent quota (insufficient_quota)', 429, 'You exceeded your current quota', true],
    ['out of credits', 402, 'Insufficient credits', true],
    ['a key refused', 401, 'Incorrect API key provided', true],
    ['a key not allowed this model', 403, 'Forbidden', true],
    ['a request refused for its own text', 400, 'Invalid input', false],
    ['a model not found', 404, 'No such model', false],
    ['a server error, retries used up', 500, 'Internal error', false],
  ])('%s (%i) in one job: stops every job of the run = %s', async (_what, status, words, stopsAll) => {
    const { scheduler, clock } = setup({ concurrency: 1, retries: 0 });
    const log: string[] = [];
    const kept = scripted([5, 0], [{}], log, clock);
    await scheduler.run(kept, never()).done;
    const failure = new ProviderError(`openai answered ${status}: ${words}`, { provider: 'openai', status, retryable: status === 500 });
    const failing = scheduler.run(scripted([0, 0], [failure], log, clock), new AbortController().signal);
    // Another job (another file of a batch): its own stop signal, never aborted by the first job.
    const others = [0, 1].map((i) => scheduler.run(scripted([1, i], [{}], log, clock), never()));
    await expect(failing.done).rejects.toThrow(words);
    const outcomes = await Promise.allSettled(others.map((r) => r.done));
    const later = await Promise.allSettled([scheduler.run(kept, never()).done, scheduler.run(scripted([2, 0], [{}], log, clock), never()).done]);
    if (stopsAll) {
      expect(log).toEqual(['5.0', '0.0']);
      for (const outcome of [...outcomes, later[1]!]) {
        expect(outcome.status).toBe('rejected');
        const error = (outcome as PromiseRejectedResult).reason as RunStoppedError;
        expect(error).toBeInstanceOf(RunStoppedError);
        expect(error.message).toBe(`Not sent: the run stopped at an earlier failure (openai answered ${status}: ${words})`);
        expect(error.kind).toBe('provider');
      }
    } else {
      expect(log).toEqual(['5.0', '0.0', '1.0', '1.1', '2.0']);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
      expect(later[1]!.status).toBe('fulfilled');
    }
    // What the cache has is served either way: it costs no request.
    expect(later[0]).toEqual({ status: 'fulfilled', value: { cached: true } });
  });

  test('a run that gave up (10 minutes without a success) sends nothing more for any job', async () => {
    const { scheduler, clock } = setup({ concurrency: 1, retries: 0 });
    const log: string[] = [];
    const refused = scripted([0, 0], [rateLimited({ retryAfterMs: 30_000 })], log, clock);
    const first = scheduler.run(refused, new AbortController().signal);
    const other = scheduler.run(scripted([1, 0], [{}], log, clock), never());
    await clock.runUntil(first.done);
    await expect(first.done).rejects.toThrow(/nothing has succeeded for 10 min/);
    await expect(other.done).rejects.toThrow(/^Not sent: the run stopped at an earlier failure \(openai answered 429: Rate limit reached; nothing has succeeded/);
    expect(new Set(log)).toEqual(new Set(['0.0']));
    expect(refused.starts).toHaveLength(21);
  });

  test('a retry-after over 10 minutes stops the run with what the server asked', async () => {
    const { scheduler, clock } = setup();
    const log: string[] = [];
    const task = scripted([0, 0], [rateLimited({ retryAfterMs: 3_600_000 })], log, clock);
    await expect(scheduler.run(task, never()).done).rejects.toThrow(/the provider asks to wait 1 h/);
    expect(log).toHaveLength(1);
  });

  test('--rpm spaces the starts evenly', async () => {
    const { scheduler, clock } = setup({ concurrency: 4, rpm: 120 });
    const log: string[] = [];
    const start = clock.now();
    const tasks = [0, 1, 2, 3].map((i) => scripted([0, i], [{}], log, clock));
    const all = Promise.all(tasks.map((t) => scheduler.run(t, never()).done));
    for (let started = 1; started < 4; started++) {
      await until(() => log.length === started && clock.pending === 1);
      clock.fire();
    }
    await all;
    expect(tasks.map((t) => t.starts[0]! - start)).toEqual([0, 500, 1000, 1500]);
  });

  test('a retry starts the audio over; a failure for good is described', async () => {
    const { scheduler, clock } = setup({ concurrency: 1, retries: 3 });
    let attempts = 0;
    const flaky: AudioTask = {
      key: key(),
      order: [0, 0],
      attempt: async (run) => {
        attempts++;
        await run.buffer.append(Buffer.from('partial'));
        if (attempts < 3) throw new ProviderError('busy', { provider: 'p', status: 503, retryable: true });
      },
    };
    const run = scheduler.run(flaky, never());
    await clock.runUntil(run.done);
    const buffer = await run.buffer;
    expect(readFileSync(buffer.path, 'utf8')).toBe('partial');
    await buffer.close();
    expect(attempts).toBe(3);
    const refused: AudioTask = {
      key: key(),
      order: [0, 1],
      attempt: async () => {
        throw new ProviderError('bad key', { provider: 'p', status: 401, retryable: false });
      },
      describeFailure: (error) => new Error(`request 2: ${(error as Error).message}`),
    };
    await expect(scheduler.run(refused, never()).done).rejects.toThrow('request 2: bad key');
  });

  test("a stopped job's waiting requests are dropped at once; the one in flight finishes", async () => {
    const { scheduler } = setup({ concurrency: 1 });
    const log: string[] = [];
    const stop = new AbortController();
    const first = gated([0, 0], log);
    const running = scheduler.run(first, stop.signal);
    const waiting = scheduler.run(gated([0, 1], log), stop.signal);
    await until(() => log.length >= 1);
    stop.abort();
    await expect(waiting.done).rejects.toThrow(/Stopped before it was sent/);
    first.release();
    expect(await running.done).toEqual({ cached: false });
    expect(log).toEqual(['start 0.0']);
  });
});
