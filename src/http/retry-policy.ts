/** Response headers as Node's http gives them. */
export type HeaderBag = Record<string, string | string[] | undefined>;

/** A header's first value (a repeated header comes as an array). */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Statuses worth the same request again: timeouts, conflicts, rate limits, server trouble. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * The wait a server asked for, from `retry-after-ms` or `retry-after` (seconds or an HTTP date),
 * however long: whether a wait is worth sitting through is the retry loop's decision.
 */
export function retryAfterMs(headers: HeaderBag, now: number = Date.now()): number | undefined {
  const ms = Number.parseFloat(headerValue(headers, 'retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const after = headerValue(headers, 'retry-after');
  if (after === undefined) return undefined;
  const seconds = Number.parseFloat(after);
  const wait = Number.isFinite(seconds) && /^\s*[\d.]+\s*$/.test(after) ? seconds * 1000 : Date.parse(after) - now;
  return Number.isFinite(wait) ? Math.max(0, wait) : undefined;
}

/**
 * Past this, a server's retry-after is not waited out: a run that sits silent for an hour looks
 * hung, holds a terminal, and may outlive the reason. Stopping says what the server asked, and a
 * rerun later resumes from the cache.
 */
export const LONGEST_SERVER_WAIT_MS = 10 * 60_000;

/** "45 s", "12 min", "1 h", "2 h 30 min": a wait as people say it. */
export function waitInWords(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 8_000 };

/**
 * Delay before retry number `attempt` (1-based): the server's ask when it made one, else exponential
 * back-off with jitter (up to a quarter off) so parallel chunks do not retry in lockstep.
 */
export function retryDelayMs(attempt: number, serverAskMs: number | undefined, random: () => number, backoff = DEFAULT_BACKOFF): number {
  if (serverAskMs !== undefined) return serverAskMs;
  const base = Math.min(backoff.initialMs * 2 ** (attempt - 1), backoff.maxMs);
  return Math.round(base * (1 - 0.25 * random()));
}
