import { ProviderError, TtsError } from '../errors.js';
import { LONGEST_SERVER_WAIT_MS, waitInWords } from '../http/retry-policy.js';
import { STALL_LIMIT_MS } from './rate-policy.js';

/**
 * What a failed send means for the run. `refused`: a rate limit's 429, waited out without using up
 * --retries. `retry`: a 5xx, a timeout or a dropped connection, which does use them. `too-long`: the
 * server asked for a longer wait than a run sits through. `fatal`: everything a retry would only
 * repeat (400, 401, 404, bad audio, and a 429 for a spent quota or billing, which no wait fixes).
 */
export type FailureKind =
  | { kind: 'refused' | 'retry' | 'too-long'; error: ProviderError }
  | { kind: 'fatal' };

export function failureKind(error: unknown): FailureKind {
  if (!(error instanceof ProviderError) || !error.details.retryable) return { kind: 'fatal' };
  if (askedWaitMs(error) > LONGEST_SERVER_WAIT_MS) return { kind: 'too-long', error };
  return { kind: error.details.status === 429 ? 'refused' : 'retry', error };
}

/** The longest wait the answer asks for: its retry-after, or the reset of a budget it says is spent (a daily quota). */
function askedWaitMs(error: ProviderError): number {
  const { retryAfterMs, limits } = error.details;
  const spent = [limits?.requests, limits?.tokens].filter((reading) => reading !== undefined && reading.remaining <= 0);
  return Math.max(retryAfterMs ?? 0, ...spent.map((reading) => reading!.resetMs));
}

/**
 * The server asked for a longer wait than a run sits through: stop now, saying what it asked. (The
 * request's own error adds that finished chunks are cached and a rerun resumes: src/speak.)
 */
export function tooLongToWait(error: ProviderError): ProviderError {
  const waitMs = askedWaitMs(error);
  return new ProviderError(`${error.message}; the provider asks to wait ${waitInWords(waitMs)}`, { ...error.details, retryable: false }, {
    hint: `tts waits out at most ${waitInWords(LONGEST_SERVER_WAIT_MS)}: rerun the same command after that.`,
    cause: error,
  });
}

/** Refused again after nothing has succeeded for STALL_LIMIT_MS: the run gives up, saying why. */
export function stalledError(error: ProviderError): ProviderError {
  return new ProviderError(`${error.message}; nothing has succeeded for ${waitInWords(STALL_LIMIT_MS)}, so tts gives up`, { ...error.details, retryable: false }, {
    hint: 'The provider keeps refusing: its rate limit, a spent daily quota, or a cap on parallel requests. Try again later, or with a lower --concurrency or --rpm.',
    cause: error,
  });
}

/**
 * Statuses no other request of the run can escape: the key refused (401, 403: every request uses the
 * same key and model) or the account out of credits or quota (402, and a 429 that is not retryable:
 * OpenAI's insufficient_quota).
 */
const ACCOUNT_STATUSES: ReadonlySet<number> = new Set([401, 402, 403, 429]);

/**
 * Whether a failure for good stops the whole run (every output of a batch), not only its own job:
 * it is about the account or the key, not the request. Asking again for another file would only
 * meet the same answer, and spend a request on it.
 */
export function failsEveryRequest(error: unknown): boolean {
  return error instanceof ProviderError && !error.details.retryable && error.details.status !== undefined && ACCOUNT_STATUSES.has(error.details.status);
}

/**
 * A request not sent because the run had already stopped on a failure that no request of it could
 * escape (a spent quota, a refused key, a limit that did not reopen). The failure itself, with its
 * hint, is reported where it happened; this names it, without a hint of its own, so a batch's
 * summary says it once.
 */
export class RunStoppedError extends TtsError {
  constructor(readonly stoppedBy: unknown) {
    const message = stoppedBy instanceof Error ? stoppedBy.message : String(stoppedBy);
    super(stoppedBy instanceof TtsError ? stoppedBy.kind : 'provider', `Not sent: the run stopped at an earlier failure (${message})`, { cause: stoppedBy });
    this.name = 'RunStoppedError';
  }
}
