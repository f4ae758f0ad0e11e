import type { LimitReading, RateLimits } from '../http/rate-limit-headers.js';
import { DEFAULT_BACKOFF, LONGEST_SERVER_WAIT_MS } from '../http/retry-policy.js';

/**
 * The run's rate limiter as pure data and decisions: when the next request may start, and what each
 * answer teaches. The scheduler keeps one state per run and feeds it the clock; nothing here waits.
 *
 * Concurrency is AIMD with memory, starting at -c. A 429 that carries no rate-limit reading while
 * others are in flight is read as a parallel cap: the limit drops at once to what the server was
 * carrying (the requests in flight less the refused one), which finds a proxy's cap in one burst
 * instead of halving blindly. Successes win it back: one more per success up
 * to the last level known to be safe, then one more per `patience` successes, a patience that doubles
 * with every refused probe, so a steady cap costs a handful of refusals per run, not one per window.
 * A refusal with nothing else in flight is no cap: it is a quota with no words, waited out with
 * exponential back-off while one request probes for the end of the window.
 *
 * What the provider says comes first: retry-after holds every start until then, and the
 * x-ratelimit-remaining/reset readings hold new starts once the budget is spent, before a refusal.
 * A reset is counted from when the request was sent, but the provider counted it on arrival: the
 * trip there (a network's latency, a busy machine) makes the count early. So until a request sent
 * right at a reset has been taken, it goes alone, the rest of the new window once it is: a margin
 * too short costs one refused request (and doubles), not a window's worth at once.
 */

/** Why the run holds its next request. */
export type WaitReason = 'retry-after' | 'quota' | 'refused' | 'rpm';

/** Nothing has succeeded for this long: the run gives up rather than sit on a quota that will not reopen. */
export const STALL_LIMIT_MS = 10 * 60_000;

/**
 * A reset is counted from when the request was sent (the provider read its counter a moment later),
 * plus this margin for the trip there; refusals right after a reset double it, up to the maximum.
 */
export const RESET_MARGIN_MS = 50;
const MAX_RESET_MARGIN_MS = 2_000;

/** Successes at a level before one more request in parallel, after the first refusal; then doubling. */
const FIRST_PATIENCE = 2;
const MAX_PATIENCE = 64;

/** A budget the provider reported, as the run counts it down. */
export interface Budget {
  remaining: number;
  /** The start number of the request whose answer said so: starts after it are not in `remaining`. */
  asOf: number;
  /** When the provider's window turns over, on the run's clock. */
  resetAt: number;
  /** The window's size, when the provider says (x-ratelimit-limit-*): a new window holds that many. */
  limit: number | undefined;
  /** The longest reset read: the window's length, near enough, to count a new window down by. */
  windowMs: number;
}

export interface Hold {
  until: number;
  reason: WaitReason;
}

export interface LimiterState {
  /** -c: never more in parallel than this. */
  readonly ceiling: number;
  readonly limit: number;
  /** The highest level that ran without a refusal since the last cut: regained one per success. */
  readonly safe: number;
  /** Successes counted towards the next step above `safe`, and how many it takes. */
  readonly credit: number;
  readonly patience: number;
  readonly inFlight: number;
  /** Requests started so far; each start's number orders the provider's readings. */
  readonly starts: number;
  readonly hold: Hold | undefined;
  /** The next wait after a refusal that said nothing. */
  readonly backoffMs: number;
  /** The levels before the current run of unexplained refusals, restored if it proves to be a quota. */
  readonly bout: { safe: number; patience: number } | undefined;
  readonly requests: Budget | undefined;
  readonly tokens: Budget | undefined;
  /** Tokens one request uses, as the readings show it. */
  readonly tokenCost: number | undefined;
  readonly marginMs: number;
  /** A request sent right at a reset has been taken since the margin last grew: new windows go at once. */
  readonly resetTrusted: boolean;
  /** The request sent right at a reset, while the margin is not trusted: the others wait for its answer. */
  readonly probe: number | undefined;
  /** --rpm: the gap between starts, and when the next may go. */
  readonly gapMs: number | undefined;
  readonly nextStartAt: number;
  /** The last success (or the first start): what the stall limit counts from. */
  readonly lastProgressAt: number | undefined;
}

/** One request as the limiter knows it: sent as number `seq` at `startedAt`. */
export interface Ticket {
  seq: number;
  startedAt: number;
  /** Sent because a spent budget's reset had passed: a refusal then means the reset came early. */
  afterReset: boolean;
}

export type Gate = { kind: 'go' } | { kind: 'slot' } | ({ kind: 'wait' } & Hold);

export interface Refusal {
  retryAfterMs?: number | undefined;
  limits?: RateLimits | undefined;
}

export function createLimiter(options: { concurrency: number; rpm?: number | undefined }): LimiterState {
  const ceiling = Math.max(1, Math.floor(options.concurrency));
  return {
    ceiling,
    limit: ceiling,
    safe: ceiling,
    credit: 0,
    patience: FIRST_PATIENCE,
    inFlight: 0,
    starts: 0,
    hold: undefined,
    backoffMs: DEFAULT_BACKOFF.initialMs,
    bout: undefined,
    requests: undefined,
    tokens: undefined,
    tokenCost: undefined,
    marginMs: RESET_MARGIN_MS,
    resetTrusted: false,
    probe: undefined,
    gapMs: options.rpm === undefined ? undefined : 60_000 / options.rpm,
    nextStartAt: -Infinity,
    lastProgressAt: undefined,
  };
}

/** Whether a budget cannot pay for one more request of `cost`, counting the starts it has not seen. */
const spent = (budget: Budget, cost: number, starts: number): boolean => budget.remaining - cost * (starts - budget.asOf) < Math.max(cost, 1);

/**
 * The provider's budgets that are spent until their reset, if any. A reset further off than a run
 * sits through (a daily quota) is no hold: the next request goes, and its refusal stops the run in
 * the provider's words rather than leaving it silent for hours.
 */
function quotaHold(state: LimiterState, now: number): Hold | undefined {
  const spentUntil = [
    state.requests && spent(state.requests, 1, state.starts) ? state.requests.resetAt : -Infinity,
    state.tokens && spent(state.tokens, state.tokenCost ?? 0, state.starts) ? state.tokens.resetAt : -Infinity,
  ];
  const until = Math.max(...spentUntil);
  return until > now && until - now <= LONGEST_SERVER_WAIT_MS ? { until, reason: 'quota' } : undefined;
}

/** May a request start now; if not, is it waiting for a slot (a finish) or for a time? */
export function gate(state: LimiterState, now: number): Gate {
  if (state.inFlight >= state.limit || state.probe !== undefined) return { kind: 'slot' };
  const holds = [state.hold, quotaHold(state, now), state.gapMs === undefined ? undefined : { until: state.nextStartAt, reason: 'rpm' as const }];
  const longest = holds.filter((h): h is Hold => h !== undefined && h.until > now).sort((a, b) => b.until - a.until)[0];
  return longest ? { kind: 'wait', ...longest } : { kind: 'go' };
}

export function start(state: LimiterState, now: number): { state: LimiterState; ticket: Ticket } {
  const seq = state.starts + 1;
  const afterReset = state.requests !== undefined && spent(state.requests, 1, state.starts) && now >= state.requests.resetAt;
  const nextStartAt = state.gapMs === undefined ? state.nextStartAt : Math.max(now, state.nextStartAt) + state.gapMs;
  const rolled = { requests: rollOver(state.requests, state.starts, now), tokens: rollOver(state.tokens, state.starts, now) };
  return {
    state: { ...state, ...rolled, starts: seq, inFlight: state.inFlight + 1, nextStartAt, lastProgressAt: state.lastProgressAt ?? now, probe: afterReset && !state.resetTrusted ? seq : state.probe },
    ticket: { seq, startedAt: now, afterReset },
  };
}

/**
 * The first start after a budget's reset opens a new window: when the provider said how many a
 * window holds, that many are counted down from here (not -c at once), until the answers of the
 * new window say more. Without a limit the old reading just lapses.
 */
function rollOver(budget: Budget | undefined, starts: number, now: number): Budget | undefined {
  if (budget === undefined || budget.limit === undefined || now < budget.resetAt) return budget;
  const windows = Math.max(1, Math.ceil((now - budget.resetAt) / Math.max(1, budget.windowMs)));
  return { ...budget, remaining: budget.limit, asOf: starts, resetAt: budget.resetAt + windows * budget.windowMs };
}

/** The provider took the request (its status line is in): what it said of the limits counts from now, not from the audio's end. */
export function accept(state: LimiterState, ticket: Ticket, limits: RateLimits | undefined): LimiterState {
  const taken = ticket.seq === state.probe ? { ...state, probe: undefined, resetTrusted: true } : state;
  return learn(taken, ticket, limits);
}

/** The request's audio is complete. */
export function succeed(state: LimiterState, now: number): LimiterState {
  const base: LimiterState = { ...state, inFlight: state.inFlight - 1, lastProgressAt: now, backoffMs: DEFAULT_BACKOFF.initialMs, bout: undefined };
  if (state.limit >= state.ceiling) return base;
  if (state.limit < state.safe) return { ...base, limit: state.limit + 1, credit: 0 };
  if (state.credit + 1 < state.patience) return { ...base, credit: state.credit + 1 };
  return { ...base, safe: state.limit, limit: state.limit + 1, credit: 0 };
}

/** A failure that is not the rate limit's business (a 5xx, a dropped connection, a bad request). */
export function end(state: LimiterState, ticket: Ticket): LimiterState {
  return { ...state, inFlight: state.inFlight - 1, probe: ticket.seq === state.probe ? undefined : state.probe };
}

/** A 429 that a wait may fix; what it said decides whether to hold, and whether concurrency was the cause. */
export function refuse(state: LimiterState, ticket: Ticket, refusal: Refusal, now: number): LimiterState {
  let next = learn({ ...state, inFlight: state.inFlight - 1, probe: ticket.seq === state.probe ? undefined : state.probe }, ticket, refusal.limits);
  if (refusal.retryAfterMs !== undefined) next = { ...next, hold: later(next.hold, { until: now + refusal.retryAfterMs, reason: 'retry-after' }) };
  if (quotaHold(next, now)) {
    // A spent budget explains the refusal: pacing is the cure, not fewer in parallel.
    return ticket.afterReset ? { ...next, marginMs: Math.min(MAX_RESET_MARGIN_MS, next.marginMs * 2), resetTrusted: false } : next;
  }
  const bout = state.bout ?? { safe: state.safe, patience: state.patience };
  if (state.inFlight > 1) {
    const limit = Math.max(1, Math.min(state.limit, state.inFlight - 1));
    // One burst of refusals is one cut: patience doubles once per bout, not once per refused request.
    const patience = state.bout ? state.patience : Math.min(MAX_PATIENCE, state.patience * 2);
    return { ...next, bout, limit, safe: limit, credit: 0, patience };
  }
  // Refused alone: no cap refuses a single request, so it is a quota. The cuts of this bout were
  // mistaken and are undone, to be regained one per success once the window reopens.
  const waited = refusal.retryAfterMs !== undefined ? next : { ...next, hold: later(next.hold, { until: now + state.backoffMs, reason: 'refused' }), backoffMs: Math.min(DEFAULT_BACKOFF.maxMs, state.backoffMs * 2) };
  return { ...waited, bout, limit: 1, safe: bout.safe, patience: bout.patience, credit: 0 };
}

/** Nothing has succeeded for STALL_LIMIT_MS. */
export function stalled(state: LimiterState, now: number): boolean {
  return state.lastProgressAt !== undefined && now - state.lastProgressAt >= STALL_LIMIT_MS;
}

const later = (hold: Hold | undefined, other: Hold): Hold => (hold === undefined || other.until > hold.until ? other : hold);

function learn(state: LimiterState, ticket: Ticket, limits: RateLimits | undefined): LimiterState {
  let next = state;
  if (limits?.requests) next = { ...next, requests: newer(next.requests, budget(limits.requests, ticket, next.marginMs, next.requests)) };
  if (limits?.tokens) {
    const fresh = budget(limits.tokens, ticket, next.marginMs, next.tokens);
    next = { ...next, tokens: newer(next.tokens, fresh), tokenCost: costPerRequest(next.tokens, fresh) ?? next.tokenCost };
  }
  return next;
}

const budget = (reading: LimitReading, ticket: Ticket, marginMs: number, known: Budget | undefined): Budget => ({
  remaining: reading.remaining,
  asOf: ticket.seq,
  resetAt: ticket.startedAt + reading.resetMs + marginMs,
  limit: reading.limit ?? known?.limit,
  windowMs: Math.max(reading.resetMs, known?.windowMs ?? 0),
});

/** Answers arrive out of order: the reading of a later request knows more. */
const newer = (known: Budget | undefined, fresh: Budget): Budget => (known === undefined || fresh.asOf >= known.asOf ? fresh : known);

/** Tokens per request, from the drop between two readings of one window. */
function costPerRequest(known: Budget | undefined, fresh: Budget): number | undefined {
  if (known === undefined || fresh.asOf <= known.asOf || fresh.remaining >= known.remaining) return undefined;
  return (known.remaining - fresh.remaining) / (fresh.asOf - known.asOf);
}
