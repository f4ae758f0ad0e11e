/** Response headers as undici gives them. */
export type HeaderBag = Record<string, string | string[] | undefined>;

/** A header's first value (undici gives repeated headers as an array). */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Statuses worth the same request again: timeouts, conflicts, rate limits, server trouble. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

const MAX_SERVER_WAIT_MS = 60_000;

/**
 * The wait a server asked for, from `retry-after-ms` or `retry-after` (seconds or an HTTP date),
 * when it is between 0 and 60 s; longer asks are not honoured (we back off ourselves instead).
 */
export function retryAfterMs(headers: HeaderBag, now: number = Date.now()): number | undefined {
  const ms = Number.parseFloat(headerValue(headers, 'retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0 && ms <= MAX_SERVER_WAIT_MS) return ms;
  const after = headerValue(headers, 'retry-after');
  if (after === undefined) return undefined;
  const seconds = Number.parseFloat(after);
  let wait = Number.isFinite(seconds) && /^\s*[\d.]+\s*$/.test(after) ? seconds * 1000 : Date.parse(after) - now;
  if (!Number.isFinite(wait)) return undefined;
  wait = Math.max(0, wait);
  return wait <= MAX_SERVER_WAIT_MS ? wait : undefined;
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
