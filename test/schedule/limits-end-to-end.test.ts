import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { FakeProvider, fakePcm, jsonError, sameBytes, speechReply, type Reply } from '../helpers/fake-provider.js';
import { runTts, Sandbox, spawnTts, useFakeProvider } from '../helpers/run-tts.js';

let fake: FakeProvider;
let box: Sandbox;
useFakeProvider((f, b) => ((fake = f), (box = b)));

/** About 30,000 characters: seven chunks under OpenAI's limit. */
const BOOK = Array.from({ length: 50 }, (_, p) =>
  Array.from({ length: 8 }, (_, s) => `Paragraph ${p + 1}, sentence ${s + 1} tells a little more of the story.`).join(' '),
).join('\n\n');

interface Limits {
  /** N requests per fixed window (from the first request), counted on arrival. */
  quota?: { requests: number; windowMs: number; headers: boolean };
  /** Requests in flight at most, as a proxy's max_parallel_requests: a bare 429 past it. */
  parallelCap?: number;
}

interface Limited {
  reply: Reply;
  accepted: number;
  refused: number;
  /** The most requests the server was working on at once. */
  mostAtOnce: number;
  arrivals: number[];
}

/** A provider that enforces `limits` as real ones do, and takes 60 ms over each request it accepts. */
function limited(limits: Limits): Limited {
  const state = { accepted: 0, refused: 0, mostAtOnce: 0, arrivals: [] as number[] };
  let active = 0;
  let start: number | undefined;
  const used = new Map<number, number>();
  const reply: Reply = async (req, res) => {
    const now = Date.now();
    state.arrivals.push(now);
    start ??= now;
    const { quota } = limits;
    const window = quota ? Math.floor((now - start) / quota.windowMs) : 0;
    const headers = (remaining: number): Record<string, string> =>
      quota?.headers
        ? { 'x-ratelimit-limit-requests': String(quota.requests), 'x-ratelimit-remaining-requests': String(remaining), 'x-ratelimit-reset-requests': `${start! + (window + 1) * quota.windowMs - now}ms` }
        : {};
    const full = (limits.parallelCap !== undefined && active >= limits.parallelCap) || (quota !== undefined && (used.get(window) ?? 0) >= quota.requests);
    if (full) {
      state.refused++;
      return jsonError(429, { error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } }, headers(0))(req, res);
    }
    used.set(window, (used.get(window) ?? 0) + 1);
    state.accepted++;
    state.mostAtOnce = Math.max(state.mostAtOnce, ++active);
    res.on('close', () => active--);
    await new Promise((r) => setTimeout(r, 60));
    return speechReply({ headers: headers(quota ? quota.requests - used.get(window)! : 0) })(req, res);
  };
  return Object.assign(state, { reply });
}

const env = () => ({ ...box.env, OPENAI_API_KEY: 'sk-test' });
const speakBook = (args: string[]) => spawnTts(['-f', '-', '-o', box.path('book.pcm'), '--base-url', fake.url, ...args], { env: env(), stdin: BOOK });

/** The book's audio is whole and in order: every chunk once, whatever was refused on the way. */
function expectWholeBook(): void {
  const chunks = [...new Set(fake.inputs())].sort((a, b) => BOOK.indexOf(a) - BOOK.indexOf(b));
  expect(chunks.length).toBe(7);
  expect(sameBytes(readFileSync(box.path('book.pcm')), Buffer.concat(chunks.map((c) => fakePcm(c))))).toBe('same');
}

describe('rate limits, through the real bin', () => {
  test('a quota that reports itself (x-ratelimit-*) is paced before it refuses', async () => {
    const server = limited({ quota: { requests: 3, windowMs: 500, headers: true } });
    fake.fallback = server.reply;
    const r = await speakBook(['-c', '3']);
    expect(r.code, r.stderr).toBe(0);
    expectWholeBook();
    // None as a rule; on a busy machine a request sent at the reset may arrive just before the window
    // turns, and be refused once (the margin then grows). Unpaced, most of the requests are refused.
    expect(server.refused, `arrivals ${server.arrivals.map((t) => t - server.arrivals[0]!).join(' ')}`).toBeLessThanOrEqual(2);
  });

  test('a quota that says nothing (no headers, no retry-after) is waited out, and the book is whole', async () => {
    const server = limited({ quota: { requests: 3, windowMs: 500, headers: false } });
    fake.fallback = server.reply;
    const r = await speakBook(['-c', '4', '--retries', '0']);
    expect(r.code, r.stderr).toBe(0);
    expectWholeBook();
    expect(server.refused).toBeGreaterThan(0);
  });

  test('a gateway that takes 2 requests at once, under -c 8: found in one burst, and the run finishes', async () => {
    const server = limited({ parallelCap: 2 });
    fake.fallback = server.reply;
    const r = await speakBook(['-c', '8', '--retries', '0']);
    expect(r.code, r.stderr).toBe(0);
    expectWholeBook();
    expect(server.mostAtOnce).toBe(2);
    // The first burst finds the cap (six refused at most); after it, a probe only now and then.
    expect(server.refused).toBeLessThanOrEqual(8);
  });

  test('a spent quota (insufficient_quota) stops the run at once: exactly one request, exit 4, the words and a hint', async () => {
    fake.fallback = jsonError(429, { error: { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', code: 'insufficient_quota' } });
    const r = await speakBook(['-c', '1']);
    expect(r.code).toBe(4);
    expect(fake.requests).toHaveLength(1);
    expect(r.stderr).toMatch(/You exceeded your current quota/);
    expect(r.stderr).toMatch(/hint: .*add credits, or check the plan/);
    // At -c 4 the first four go out together; nothing follows the first answer.
    fake.requests.length = 0;
    expect((await speakBook(['-c', '4'])).code).toBe(4);
    expect(fake.requests.length).toBeLessThanOrEqual(4);
  });

  test('a long storm of 429s that say wait finishes without using up --retries', async () => {
    const storm = jsonError(429, { error: { message: 'Rate limit reached for requests' } }, { 'retry-after-ms': '40' });
    fake.reply(...Array.from({ length: 15 }, () => storm));
    fake.fallback = speechReply();
    const r = await speakBook(['-c', '4', '--retries', '1']);
    expect(r.code, r.stderr).toBe(0);
    expectWholeBook();
    expect(fake.requests.length - new Set(fake.inputs()).size).toBe(15);
  });

  test('--rpm spaces the requests evenly', async () => {
    const server = limited({});
    fake.fallback = server.reply;
    const r = await speakBook(['-c', '4', '--rpm', '600']);
    expect(r.code, r.stderr).toBe(0);
    const { arrivals } = server;
    // 600 a minute: one every 100 ms as sent (a new connection may delay the first arrival a little).
    expect(arrivals).toHaveLength(7);
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(6 * 100 - 60);
  });
});

describe('rate limits, as the user sees them', () => {
  test('--verbose says when the run waits on the provider, and for how long', async () => {
    fake.reply(jsonError(429, { error: { message: 'Slow down' } }, { 'retry-after': '3' }));
    const r = await runTts(['Hello there.', '-o', box.path('a.mp3'), '--base-url', fake.url, '--verbose'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/tts: waiting 3\.0 s as the provider asked \(retry-after\)/);
  });

  test('retry-after-ms is waited out to the millisecond, before retry-after, and uses up no --retries', async () => {
    const waits: number[] = [];
    fake.reply(
      jsonError(429, { error: { message: 'Slow down' } }, { 'retry-after-ms': '1500', 'retry-after': '9' }),
      jsonError(429, { error: { message: 'Slow down' } }, { 'retry-after-ms': '250' }),
    );
    const r = await runTts(['Hello there.', '-o', box.path('a.mp3'), '--base-url', fake.url, '--retries', '0'], { env: env(), sleep: async (ms) => void waits.push(ms) });
    expect(r.code, r.stderr).toBe(0);
    expect(waits).toEqual([1500, 250]);
    expect(fake.requests).toHaveLength(3);
  });

  test('a long wait gets a line in a log even without --verbose; a short one does not', async () => {
    fake.reply(jsonError(429, { error: { message: 'Slow down' } }, { 'retry-after': '30' }), jsonError(429, { error: { message: 'Slow down' } }, { 'retry-after': '2' }));
    const r = await runTts(['Hello there.', '-o', box.path('a.mp3'), '--base-url', fake.url], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/tts: waiting 30 s as the provider asked \(retry-after\)/);
    expect(r.stderr).not.toMatch(/waiting 2\.0 s/);
  });

  test('a spent daily quota (a reset hours away) stops the run at once in the provider\'s words', async () => {
    fake.fallback = jsonError(429, { error: { message: 'Rate limit reached for requests per day (RPD)' } }, { 'x-ratelimit-limit-requests': '200', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '14h2m5s' });
    const r = await runTts(['-f', '-', '-o', box.path('a.pcm'), '--base-url', fake.url, '-c', '1'], { env: env(), stdin: BOOK });
    expect(r.code).toBe(4);
    expect(fake.requests).toHaveLength(1);
    expect(r.stderr).toMatch(/requests per day \(RPD\); the provider asks to wait 14 h 2 min/);
  });

  test('the config key rpm paces runs like --rpm, and the flag overrides it', async () => {
    expect((await runTts(['config', 'set', 'rpm', '30'], { env: env() })).code).toBe(0);
    expect((await runTts(['config', 'set', 'rpm', 'lots'], { env: env() })).stderr).toMatch(/rpm must be a number of requests per minute/);
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(ms);
    expect((await runTts(['-f', '-', '-o', box.path('a.pcm'), '--base-url', fake.url, '-c', '4'], { env: env(), stdin: BOOK, sleep })).code).toBe(0);
    expect(waits.length).toBeGreaterThan(5);
    expect(new Set(waits)).toEqual(new Set([2000]));
    waits.length = 0;
    expect((await runTts(['-f', '-', '-o', box.path('b.pcm'), '--base-url', fake.url, '--no-cache', '--rpm', '120'], { env: env(), stdin: BOOK, sleep })).code).toBe(0);
    expect(new Set(waits)).toEqual(new Set([500]));
  });

  test('--rpm is checked like every flag', async () => {
    const r = await runTts(['Hi.', '-o', box.path('a.mp3'), '--rpm', '0'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--rpm must be a number from 0\.1 to 100000, not "0"/);
  });
});
