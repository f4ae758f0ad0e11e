import { describe, expect, test } from 'vitest';
import { isRetryableStatus, retryAfterMs, retryDelayMs } from '../../src/http/retry-policy.js';

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
    [{ 'retry-after': '61' }, undefined],
    [{ 'retry-after-ms': '90000' }, undefined],
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
});
