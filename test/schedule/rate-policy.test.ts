import { describe, expect, test } from 'vitest';
import { accept, createLimiter, type Budget, end, gate, refuse, RESET_MARGIN_MS, stalled, STALL_LIMIT_MS, start, succeed, type LimiterState, type Ticket } from '../../src/schedule/rate-policy.js';

/** A run at -c 4, with `changes`. */
const state = (changes: Partial<LimiterState> = {}): LimiterState => ({ ...createLimiter({ concurrency: 4 }), ...changes });
/** A budget as read: `remaining` after request `asOf`, until `resetAt`. */
const b = (remaining: number, asOf: number, resetAt: number, more: Partial<Budget> = {}): Budget => ({ remaining, asOf, resetAt, limit: undefined, windowMs: 0, ...more });
const ticket = (seq: number, startedAt = 0, afterReset = false): Ticket => ({ seq, startedAt, afterReset });

describe('when the next request may start', () => {
  test.each<[string, LimiterState, number, ReturnType<typeof gate>]>([
    ['a new run', createLimiter({ concurrency: 4 }), 0, { kind: 'go' }],
    ['below the limit', state({ inFlight: 3 }), 0, { kind: 'go' }],
    ['at the limit: a finish frees a slot', state({ inFlight: 4 }), 0, { kind: 'slot' }],
    ['a cut limit', state({ limit: 2, inFlight: 2 }), 0, { kind: 'slot' }],
    ['retry-after holds every start', state({ hold: { until: 5000, reason: 'retry-after' } }), 1000, { kind: 'wait', until: 5000, reason: 'retry-after' }],
    ['until it has passed', state({ hold: { until: 5000, reason: 'retry-after' } }), 5000, { kind: 'go' }],
    // Reported 2 left after request 3; request 4 has gone since, so one more may go.
    ['a budget with one request left', state({ starts: 4, requests: b(2, 3, 3000) }), 1000, { kind: 'go' }],
    ['a spent budget holds until its reset, before any refusal', state({ starts: 5, requests: b(2, 3, 3000) }), 1000, { kind: 'wait', until: 3000, reason: 'quota' }],
    ['a reset further off than a run sits through (a daily quota) is no hold: the refusal will say so', state({ starts: 5, requests: b(0, 5, 1000 + 11 * 60_000) }), 1000, { kind: 'go' }],
    ['after the reset the reading no longer counts', state({ starts: 5, requests: b(2, 3, 3000) }), 3000, { kind: 'go' }],
    ['tokens: 900 left, 400 a request, one sent since', state({ starts: 3, tokens: b(900, 2, 9000), tokenCost: 400 }), 0, { kind: 'go' }],
    ['tokens: not enough for one more', state({ starts: 4, tokens: b(900, 2, 9000), tokenCost: 400 }), 0, { kind: 'wait', until: 9000, reason: 'quota' }],
    ['tokens: none left, cost unknown', state({ starts: 1, tokens: b(0, 1, 9000) }), 0, { kind: 'wait', until: 9000, reason: 'quota' }],
    ['--rpm spaces the starts', state({ gapMs: 1000, nextStartAt: 2000 }), 1500, { kind: 'wait', until: 2000, reason: 'rpm' }],
    ['several holds: the longest decides', state({ gapMs: 1000, nextStartAt: 2000, hold: { until: 3000, reason: 'refused' } }), 1500, { kind: 'wait', until: 3000, reason: 'refused' }],
  ])('%s', (_name, limiter, now, expected) => {
    expect(gate(limiter, now)).toEqual(expected);
  });
});

describe('what each answer teaches', () => {
  test.each<[string, LimiterState, (s: LimiterState) => LimiterState, Partial<LimiterState>]>([
    ['a success at -c changes nothing', state({ inFlight: 2 }), (s) => succeed(s, 100), { limit: 4, inFlight: 1, lastProgressAt: 100 }],
    ['below the last safe level: one more per success', state({ limit: 2, safe: 4, inFlight: 2 }), (s) => succeed(s, 0), { limit: 3 }],
    ['at the safe level: credit towards a probe', state({ limit: 2, safe: 2, patience: 4, credit: 1 }), (s) => succeed(s, 0), { limit: 2, credit: 2 }],
    ['enough credit: one more in parallel, and the level is safe', state({ limit: 2, safe: 2, patience: 4, credit: 3 }), (s) => succeed(s, 0), { limit: 3, safe: 2, credit: 0 }],
    ['a success ends a bout of refusals and resets the back-off', state({ inFlight: 1, backoffMs: 4000, bout: { safe: 4, patience: 2 } }), (s) => succeed(s, 0), { backoffMs: 500, bout: undefined }],
    [
      'refused with six in flight and nothing said: a parallel cap, cut to what the server carried',
      state({ limit: 8, safe: 8, ceiling: 8, inFlight: 6 }),
      (s) => refuse(s, ticket(6), {}, 0),
      { limit: 5, safe: 5, patience: 4, inFlight: 5, bout: { safe: 8, patience: 2 }, hold: undefined },
    ],
    [
      'the next refusal of the same burst cuts again, without doubling the patience again',
      state({ limit: 5, safe: 5, patience: 4, inFlight: 4, bout: { safe: 8, patience: 2 } }),
      (s) => refuse(s, ticket(7), {}, 0),
      { limit: 3, safe: 3, patience: 4 },
    ],
    [
      'refused alone with nothing said: a quota, waited out with back-off, the cuts undone',
      state({ limit: 2, safe: 2, patience: 4, inFlight: 1, backoffMs: 1000, bout: { safe: 4, patience: 2 } }),
      (s) => refuse(s, ticket(9), {}, 5000),
      { limit: 1, safe: 4, patience: 2, hold: { until: 6000, reason: 'refused' }, backoffMs: 2000 },
    ],
    ['the back-off stops growing at 8 s', state({ inFlight: 1, backoffMs: 8000 }), (s) => refuse(s, ticket(1), {}, 0), { hold: { until: 8000, reason: 'refused' }, backoffMs: 8000 }],
    [
      'retry-after holds the run for exactly that',
      state({ inFlight: 1 }),
      (s) => refuse(s, ticket(1), { retryAfterMs: 7000 }, 1000),
      { hold: { until: 8000, reason: 'retry-after' }, backoffMs: 500, limit: 1 },
    ],
    [
      'a spent budget explains the refusal: held to its reset, concurrency untouched',
      state({ inFlight: 4, starts: 4 }),
      (s) => refuse(s, ticket(4, 1000), { limits: { requests: { remaining: 0, resetMs: 2000 } } }, 1010),
      { limit: 4, inFlight: 3, requests: b(0, 4, 3000 + RESET_MARGIN_MS, { windowMs: 2000 }), marginMs: RESET_MARGIN_MS },
    ],
    [
      'refused just after a reset: the reset came later than counted, so the margin doubles',
      state({ inFlight: 2, starts: 8 }),
      (s) => refuse(s, ticket(8, 3050, true), { limits: { requests: { remaining: 0, resetMs: 40 } } }, 3052),
      { marginMs: 2 * RESET_MARGIN_MS, limit: 4 },
    ],
    ['another failure only frees its slot', state({ inFlight: 3, limit: 3 }), (s) => end(s, ticket(9)), { inFlight: 2, limit: 3 }],
    [
      'accepted: the reading counts from the request it answers',
      state({ inFlight: 1, starts: 1 }),
      (s) => accept(s, ticket(1, 200), { requests: { remaining: 5, resetMs: 2800, limit: 6 } }),
      { requests: b(5, 1, 3000 + RESET_MARGIN_MS, { limit: 6, windowMs: 2800 }) },
    ],
    [
      'an answer to an older request says less than the one already read',
      state({ requests: b(2, 5, 3000) }),
      (s) => accept(s, ticket(3), { requests: { remaining: 4, resetMs: 2900 } }),
      { requests: b(2, 5, 3000) },
    ],
    [
      'tokens per request, from the drop between two readings',
      state({ tokens: b(10_000, 2, 60_000) }),
      (s) => accept(s, ticket(4), { tokens: { remaining: 9000, resetMs: 59_000 } }),
      { tokenCost: 500 },
    ],
  ])('%s', (_name, before, event, expected) => {
    expect(event(before)).toMatchObject(expected);
  });

  test('--rpm: starts evenly spaced from the first, and after a pause from then on', () => {
    let limiter = createLimiter({ concurrency: 8, rpm: 30 });
    const next: number[] = [];
    for (const now of [0, 2000, 4000, 10_000]) {
      limiter = start(limiter, now).state;
      next.push(limiter.nextStartAt);
    }
    expect(next).toEqual([2000, 4000, 6000, 12_000]);
  });

  test('after a reset, a new window holds what the provider said a window holds: that many go, not -c at once', () => {
    let limiter = state({ ceiling: 8, limit: 8, safe: 8, starts: 6, requests: b(0, 6, 3000, { limit: 3, windowMs: 2900 }), resetTrusted: true });
    expect(gate(limiter, 2999)).toEqual({ kind: 'wait', until: 3000, reason: 'quota' });
    const at: number[] = [];
    for (let now = 3000; gate(limiter, now).kind === 'go'; now += 10) {
      limiter = start(limiter, now).state;
      at.push(now);
    }
    expect(at).toEqual([3000, 3010, 3020]);
    expect(limiter.requests).toEqual(b(3, 6, 5900, { limit: 3, windowMs: 2900 }));
    expect(gate(limiter, 3030)).toEqual({ kind: 'wait', until: 5900, reason: 'quota' });
    // Long after: as many windows on as have passed.
    expect(start(limiter, 12_000).state.requests).toMatchObject({ remaining: 3, asOf: 9, resetAt: 14_600 });
  });

  test('until a request sent right at a reset has been taken, it goes alone; once one has, new windows go at once', () => {
    const window = { requests: b(0, 6, 3000, { limit: 3, windowMs: 2900 }), starts: 6, ceiling: 8, limit: 8, safe: 8 };
    let limiter = state(window);
    const probe = start(limiter, 3000);
    limiter = probe.state;
    expect(probe.ticket.afterReset).toBe(true);
    expect(gate(limiter, 3010)).toEqual({ kind: 'slot' });
    // Refused: the reset came later than counted. The margin doubles, and the next reset probes again.
    limiter = refuse(limiter, probe.ticket, { limits: { requests: { remaining: 0, resetMs: 30, limit: 3 } } }, 3020);
    expect(limiter).toMatchObject({ marginMs: 2 * RESET_MARGIN_MS, resetTrusted: false, probe: undefined });
    const resetAt = 3000 + 30 + RESET_MARGIN_MS;
    expect(gate(limiter, 3020)).toEqual({ kind: 'wait', until: resetAt, reason: 'quota' });
    const again = start(limiter, resetAt);
    expect(gate(again.state, resetAt + 10)).toEqual({ kind: 'slot' });
    // Taken: the rest of the window goes at once, and so does every later window.
    limiter = accept(again.state, again.ticket, { requests: { remaining: 2, resetMs: 2890, limit: 3 } });
    expect(limiter).toMatchObject({ resetTrusted: true, probe: undefined });
    expect(gate(limiter, resetAt + 20)).toEqual({ kind: 'go' });
    limiter = start(start(limiter, resetAt + 20).state, resetAt + 30).state;
    const next = limiter.requests!.resetAt;
    expect(gate(limiter, next - 1)).toMatchObject({ kind: 'wait', reason: 'quota' });
    limiter = start(limiter, next).state;
    expect(gate(limiter, next)).toEqual({ kind: 'go' });
    // A probe that fails otherwise (a 5xx) lets the others go, still untrusted.
    const failed = start(state(window), 3000);
    expect(gate(end(failed.state, failed.ticket), 3010)).toEqual({ kind: 'go' });
  });

  test('a start made on the strength of a spent budget whose reset has passed is marked', () => {
    const limiter = state({ starts: 6, requests: b(0, 6, 3000) });
    expect(start(limiter, 3000).ticket).toEqual({ seq: 7, startedAt: 3000, afterReset: true });
    expect(start(state({ starts: 2, requests: b(4, 1, 3000) }), 100).ticket.afterReset).toBe(false);
  });

  test('the run has stalled once nothing has succeeded for 10 minutes since the last success or the first start', () => {
    expect(STALL_LIMIT_MS).toBe(600_000);
    const started = start(createLimiter({ concurrency: 1 }), 1000).state;
    expect(stalled(started, 1000 + STALL_LIMIT_MS - 1)).toBe(false);
    expect(stalled(started, 1000 + STALL_LIMIT_MS)).toBe(true);
    expect(stalled(succeed(started, 400_000), 1000 + STALL_LIMIT_MS)).toBe(false);
    expect(stalled(createLimiter({ concurrency: 1 }), 10 * STALL_LIMIT_MS)).toBe(false);
  });
});

describe('a parallel cap of 2 under -c 8, step by step', () => {
  /** Sends until the gate says no; returns the tickets. */
  function fill(limiter: LimiterState, now: number): { limiter: LimiterState; tickets: Ticket[] } {
    const tickets: Ticket[] = [];
    while (gate(limiter, now).kind === 'go') {
      const started = start(limiter, now);
      limiter = started.state;
      tickets.push(started.ticket);
    }
    return { limiter, tickets };
  }

  test('one burst finds the cap; then a probe above it comes ever more rarely', () => {
    const sent = fill(createLimiter({ concurrency: 8 }), 0);
    expect(sent.tickets).toHaveLength(8);
    // The server takes the first two and refuses the other six at once.
    let limiter = sent.limiter;
    for (const refused of sent.tickets.slice(2)) limiter = refuse(limiter, refused, {}, 1);
    expect(limiter).toMatchObject({ limit: 2, inFlight: 2, hold: undefined });
    expect(gate(limiter, 1).kind).toBe('slot');

    // From then on: two lanes; every success starts one more, and probes a third only now and then.
    const probesAt: number[] = [];
    let inFlight = 2;
    for (let success = 1; success <= 60; success++) {
      limiter = succeed(limiter, success);
      inFlight--;
      while (gate(limiter, success).kind === 'go') {
        const started = start(limiter, success);
        limiter = started.state;
        inFlight++;
        if (inFlight > 2) {
          probesAt.push(success);
          limiter = refuse(limiter, started.ticket, {}, success);
          inFlight--;
        }
      }
    }
    expect(limiter.limit).toBe(2);
    // Patience 4, 8, 16, 32: four refused probes in sixty requests.
    expect(probesAt).toEqual([4, 12, 28, 60]);
  });
});
