import { InterruptedError } from '../errors.js';

/**
 * The scheduler's real wait (SchedulerOptions.sleep, beside `now`): injectable, so tests of waits
 * and limits never sleep. Rejects with InterruptedError when `signal` aborts.
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new InterruptedError());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new InterruptedError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
