import { InterruptedError, ProviderError } from '../errors.js';
import { LONGEST_SERVER_WAIT_MS, retryDelayMs, waitInWords } from './retry-policy.js';

export interface RetryOptions {
  /** Further tries after the first. */
  retries: number;
  signal: AbortSignal;
  /** Injectable so tests do not sleep. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  random(): number;
  onRetry?(error: ProviderError, attempt: number, delayMs: number): void;
}

/**
 * The one retry policy: a ProviderError marked retryable is tried again, after the server's
 * retry-after (exactly, up to LONGEST_SERVER_WAIT_MS; a longer ask stops the run) or an exponential
 * back-off; everything else (400, 401, 403, 404, bad audio, a spent quota) fails at once.
 */
export async function withRetries<T>(run: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run(attempt);
    } catch (error) {
      if (options.signal.aborted) throw new InterruptedError();
      if (!(error instanceof ProviderError) || !error.details.retryable) throw error;
      const asked = error.details.retryAfterMs;
      if (asked !== undefined && asked > LONGEST_SERVER_WAIT_MS) throw tooLongToWait(error, asked);
      if (attempt > options.retries) throw error;
      const delay = retryDelayMs(attempt, error.details.retryAfterMs, options.random);
      options.onRetry?.(error, attempt, delay);
      await options.sleep(delay, options.signal);
    }
  }
}

/** The server asked for a longer wait than a run sits through: stop now, saying what it asked. */
function tooLongToWait(error: ProviderError, waitMs: number): ProviderError {
  return new ProviderError(`${error.message}; the provider asks to wait ${waitInWords(waitMs)}`, { ...error.details, retryable: false }, {
    hint: `tts waits out at most ${waitInWords(LONGEST_SERVER_WAIT_MS)}: rerun the same command after that. Chunks already finished are cached (unless --no-cache), so it resumes where this run stopped.`,
    cause: error,
  });
}

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
