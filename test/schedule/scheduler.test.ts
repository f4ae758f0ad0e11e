import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { DiskCache } from '../../src/cache/chunk-store.js';
import { ProviderError } from '../../src/errors.js';
import { Scheduler, type AudioTask } from '../../src/schedule/scheduler.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup(concurrency = 2, retries = 2): { scheduler: Scheduler; store: DiskCache; interrupt: AbortController } {
  const dir = mkdtempSync(join(tmpdir(), 'tts-sched-'));
  dirs.push(dir);
  const store = new DiskCache(dir, 1e9);
  const interrupt = new AbortController();
  const scheduler = new Scheduler({ concurrency, store, retries, interrupt: interrupt.signal, sleep: async () => {}, random: () => 0 });
  return { scheduler, store, interrupt };
}

/** A task whose attempt waits until released, so a test can see what runs at once. */
function gatedTask(key: string, log: string[]): AudioTask & { release(): void } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  return {
    key,
    release: () => release(),
    attempt: async (buffer) => {
      log.push(`start ${key}`);
      await gate;
      await buffer.append(Buffer.from(key));
    },
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));
/** Waits (briefly) until `check` holds: cache lookups are file system calls. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('the scheduler', () => {
  test('runs at most `concurrency` requests at once; the next starts when one finishes', async () => {
    const { scheduler } = setup(2);
    const log: string[] = [];
    const tasks = ['a', 'b', 'c'].map((k) => gatedTask(k, log));
    const runs = tasks.map((t) => scheduler.run(t, new AbortController().signal));
    await until(() => log.length >= 2);
    await tick();
    // Both cache lookups run at once, so which attempt starts first is not fixed.
    expect([...log].sort()).toEqual(['start a', 'start b']);
    tasks[0]!.release();
    await runs[0]!.done;
    await until(() => log.length >= 3);
    expect(log[2]).toBe('start c');
    tasks[1]!.release();
    tasks[2]!.release();
    await Promise.all(runs.map((r) => r.done));
  });

  test('a kept request is served from the cache without an attempt', async () => {
    const { scheduler } = setup();
    let attempts = 0;
    const task: AudioTask = { key: 'k'.repeat(64), attempt: async (buffer) => (attempts++, buffer.append(Buffer.from('audio'))) };
    await scheduler.run(task, new AbortController().signal).done;
    const again = scheduler.run(task, new AbortController().signal);
    expect(await again.done).toEqual({ cached: true });
    const buffer = await again.buffer;
    expect(readFileSync(buffer.path, 'utf8')).toBe('audio');
    await buffer.close();
    expect(attempts).toBe(1);
  });

  test('retries what may pass, starting the audio over; fails for good what may not, described', async () => {
    const { scheduler } = setup(1, 3);
    let attempts = 0;
    const flaky: AudioTask = {
      key: 'f'.repeat(64),
      attempt: async (buffer) => {
        attempts++;
        await buffer.append(Buffer.from('partial'));
        if (attempts < 3) throw new ProviderError('busy', { provider: 'p', status: 503, retryable: true });
      },
    };
    await scheduler.run(flaky, new AbortController().signal).done;
    expect(attempts).toBe(3);
    const refused: AudioTask = {
      key: 'r'.repeat(64),
      attempt: async () => {
        throw new ProviderError('bad key', { provider: 'p', status: 401, retryable: false });
      },
      describeFailure: (error) => new Error(`request 2: ${(error as Error).message}`),
    };
    await expect(scheduler.run(refused, new AbortController().signal).done).rejects.toThrow('request 2: bad key');
  });

  test("a stopped job's waiting requests are dropped at once; the one in flight finishes", async () => {
    const { scheduler } = setup(1);
    const log: string[] = [];
    const stop = new AbortController();
    const first = gatedTask('a'.repeat(64), log);
    const running = scheduler.run(first, stop.signal);
    const waiting = scheduler.run(gatedTask('b'.repeat(64), log), stop.signal);
    await until(() => log.length >= 1);
    stop.abort();
    await expect(waiting.done).rejects.toThrow(/Stopped before it was sent/);
    first.release();
    expect(await running.done).toEqual({ cached: false });
    expect(log).toEqual([`start ${'a'.repeat(64)}`]);
  });
});
