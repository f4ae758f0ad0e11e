import { describe, expect, test } from 'vitest';
import { parseReset, rateLimitsOf } from '../../src/http/rate-limit-headers.js';

const NOW = Date.parse('2026-11-21T10:00:00Z');

describe('a reset as providers write it', () => {
  test.each([
    // OpenAI's Go durations.
    ['1s', 1000],
    ['6m0s', 360_000],
    ['850ms', 850],
    ['20ms', 20],
    ['1m30.5s', 90_500],
    ['2m59.56s', 179_560],
    ['1h2m3s', 3_723_000],
    ['0s', 0],
    ['1500us', 2],
    // Bare seconds, epoch seconds, dates.
    ['20', 20_000],
    ['0.5', 500],
    [String(NOW / 1000 + 30), 30_000],
    ['2026-11-21T10:00:45Z', 45_000],
    ['Sat, 21 Nov 2026 10:01:00 GMT', 60_000],
    // Already past: nothing to wait for.
    ['2026-11-21T09:00:00Z', 0],
    // Not a reset.
    ['soon', undefined],
    ['', undefined],
    ['1x', undefined],
    ['s', undefined],
    ['-5', undefined],
  ])('"%s" is %s ms away', (text, ms) => {
    expect(parseReset(text, NOW)).toBe(ms);
  });
});

describe("an answer's rate-limit readings", () => {
  test.each([
    [
      'the requests pair, with the limit',
      { 'x-ratelimit-limit-requests': '500', 'x-ratelimit-remaining-requests': '499', 'x-ratelimit-reset-requests': '120ms' },
      { requests: { remaining: 499, resetMs: 120, limit: 500 } },
    ],
    [
      'both pairs',
      { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '6m0s', 'x-ratelimit-remaining-tokens': '1200', 'x-ratelimit-reset-tokens': '1m30.5s' },
      { requests: { remaining: 0, resetMs: 360_000, limit: undefined }, tokens: { remaining: 1200, resetMs: 90_500, limit: undefined } },
    ],
    // Azure sends counts with no reset: they say nothing of when to go on.
    ['a count without a reset', { 'x-ratelimit-remaining-requests': '3' }, {}],
    ['a reset that is not one', { 'x-ratelimit-remaining-requests': '3', 'x-ratelimit-reset-requests': 'later' }, {}],
    ['a count that is not one', { 'x-ratelimit-remaining-requests': 'many', 'x-ratelimit-reset-requests': '1s' }, {}],
    ['no headers', {}, {}],
  ])('%s', (_name, headers, limits) => {
    expect(rateLimitsOf(headers, NOW)).toEqual(limits);
  });
});
