import { headerValue, type HeaderBag } from './retry-policy.js';

/** One of the provider's budgets as an answer reported it. */
export interface LimitReading {
  /** What is left in the current window, counting the request this answer is for. */
  remaining: number;
  /** Time until the window resets, from when the provider counted the request. */
  resetMs: number;
  /** The window's size, when the provider says. */
  limit?: number | undefined;
}

/** What an answer said about the key's rate limits: OpenAI's x-ratelimit-* pairs, as LiteLLM and Azure send them too. */
export interface RateLimits {
  requests?: LimitReading | undefined;
  tokens?: LimitReading | undefined;
}

const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:ms|us|µs|ns|h|m|s))+$/;
/** Epoch seconds (GitHub-style resets) rather than a delay: anything past 2001. */
const EPOCH_SECONDS = 1e9;

/**
 * A reset as providers write it, in milliseconds from `now`: a Go duration (`1s`, `6m0s`, `850ms`,
 * `1m30.5s`, OpenAI's form), bare seconds (`20`, `0.5`), epoch seconds, or a date (RFC 3339 or HTTP).
 * Undefined when it is none of these; never negative.
 */
export function parseReset(text: string, now: number): number | undefined {
  const value = text.trim();
  if (GO_DURATION.test(value)) {
    let ms = 0;
    for (const [, amount, unit] of value.matchAll(/(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g)) ms += Number(amount) * UNIT_MS[unit!]!;
    return Math.round(ms);
  }
  if (/^\d+(?:\.\d+)?$/.test(value)) {
    const seconds = Number(value);
    return Math.max(0, Math.round(seconds >= EPOCH_SECONDS ? seconds * 1000 - now : seconds * 1000));
  }
  const date = Date.parse(value);
  return /\d{4}/.test(value) && Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

const count = (text: string | undefined): number | undefined => {
  if (text === undefined || !/^\s*\d+(?:\.\d+)?\s*$/.test(text)) return undefined;
  return Number(text);
};

function reading(headers: HeaderBag, kind: 'requests' | 'tokens', now: number): LimitReading | undefined {
  const remaining = count(headerValue(headers, `x-ratelimit-remaining-${kind}`));
  const reset = headerValue(headers, `x-ratelimit-reset-${kind}`);
  const resetMs = reset === undefined ? undefined : parseReset(reset, now);
  // A count with no reset says nothing about when to go on: it is left for the refusal to say.
  if (remaining === undefined || resetMs === undefined) return undefined;
  return { remaining, resetMs, limit: count(headerValue(headers, `x-ratelimit-limit-${kind}`)) };
}

/** The rate-limit readings an answer (a success or a refusal) carries; empty when it carries none. */
export function rateLimitsOf(headers: HeaderBag, now: number = Date.now()): RateLimits {
  const limits: RateLimits = {};
  const requests = reading(headers, 'requests', now);
  const tokens = reading(headers, 'tokens', now);
  if (requests) limits.requests = requests;
  if (tokens) limits.tokens = tokens;
  return limits;
}
