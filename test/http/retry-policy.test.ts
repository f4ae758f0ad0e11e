import { describe, expect, test } from 'vitest';
import { isRetryableStatus, retryAfterMs, retryDelayMs, waitInWords } from '../../src/http/retry-policy.js';

describe('retry policy', () => {
  test.each([
    [408, true], [409, true], [429, true], [500, true], [503, true], [599, true],
    [400, false], [401, false], [402, false], [403, false], [404, false], [422, false],
  ])('status %i retryable: %s', (status, retryable) => {
    expect(isRetryableStatus(status)).toBe(retryable);
  });

  test.each([
    [{ 'retry-after-ms': '1500' }, 1500],
    [{ 'retry-after-ms': '1500', 'retry-after': '9' }, 1500],
    [{ 'retry-after': '2' }, 2000],
    [{ 'retry-after': '0' }, 0],
    // However long: whether to sit through it is the retry loop's decision.
    [{ 'retry-after': '61' }, 61_000],
    [{ 'retry-after-ms': '90000' }, 90_000],
    [{ 'retry-after': '3600' }, 3_600_000],
    [{ 'retry-after': 'Sat, 21 Nov 2026 10:00:30 GMT' }, 30_000],
    [{ 'retry-after': 'soon' }, undefined],
    [{}, undefined],
  ])('%o waits %s ms', (headers, expected) => {
    expect(retryAfterMs(headers, Date.parse('Sat, 21 Nov 2026 10:00:00 GMT'))).toBe(expected);
  });

  test('backs off exponentially from 0.5 s to at most 8 s, with up to a quarter of jitter', () => {
    expect([1, 2, 3, 4, 5, 6, 9].map((n) => retryDelayMs(n, undefined, () => 0))).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
    expect(retryDelayMs(1, undefined, () => 1)).toBe(375);
    expect(retryDelayMs(3, 1234, () => 0.3)).toBe(1234);
  });

  test.each([
    [45_000, '45 s'], [600_000, '10 min'], [3_600_000, '1 h'], [9_000_000, '2 h 30 min'], [86_400_000, '24 h'],
  ])('a wait of %i ms is said as "%s"', (ms, words) => {
    expect(waitInWords(ms)).toBe(words);
  });
});
