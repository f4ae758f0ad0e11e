import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { sniff } from '../../src/audio/sniff.js';
import { FakeProvider, fakePcm, hang, htmlPage, jsonError, resetMidBody, speechReply } from '../helpers/fake-provider.js';
import { runTts, Sandbox, useFakeProvider } from '../helpers/run-tts.js';

let fake: FakeProvider;
let box: Sandbox;
useFakeProvider((f, b) => ((fake = f), (box = b)));

const speakTo = (out: string, extra: string[] = [], env: Record<string, string> = {}) =>
  runTts(['Hello there.', '-o', out, '--base-url', fake.url, ...extra], { env: { ...box.env, OPENAI_API_KEY: 'sk-test', ...env } });

describe("each provider's error shape is read by that provider, in its own words, with status, code and request id", () => {
  const KEYS = { OPENAI_API_KEY: 'sk-test', OPENROUTER_API_KEY: 'sk-test', LITELLM_API_KEY: 'sk-test', AZURE_OPENAI_API_KEY: 'az-test', AQUEDUCT_API_KEY: 'aq-test' };
  test.each([
    ['OpenAI', 'openai', 401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }, /Incorrect API key provided\./, /code invalid_api_key/],
    ['OpenRouter numeric code', 'openrouter', 402, { error: { code: 402, message: 'Insufficient credits' } }, /Insufficient credits/, /out of credits/],
    ['OpenRouter schema error', 'openrouter', 400, { success: false, error: { name: 'ZodError', message: 'voice: Required' } }, /voice: Required/, /type ZodError/],
    ['LiteLLM', 'litellm', 400, { error: { message: 'litellm.BadRequestError: model tts not found', type: 'invalid_request_error', param: null, code: '400' } }, /litellm\.BadRequestError/, /status 400/],
    ['Portkey gateway', 'portkey', 400, { status: 'failure', message: 'Invalid config passed' }, /answered 400: Invalid config passed\n/, /status 400/],
    ['Portkey upstream', 'portkey', 404, { error: { message: 'openai error: model not found', type: 'invalid_request_error' }, provider: 'openai' }, /openai error: model not found/, /base URL/],
    ['Kokoro-FastAPI behind Aqueduct', 'aqueduct', 400, { detail: { error: 'validation_error', message: 'Voice not found', type: 'invalid_request_error' } }, /answered 400: Voice not found\n/, /code validation_error/],
    ['FastAPI validation (a custom server)', 'kokoro', 404, { detail: [{ loc: ['body', 'voice'], msg: 'field required' }] }, /answered 404: field required\n/, /status 404/],
    ['Azure string code', 'azure', 401, { error: { code: '401', message: 'Access denied due to invalid subscription key.' } }, /Access denied/, /code 401/],
  ])('%s', async (_name, provider, status, body, message, detail) => {
    fake.fallback = jsonError(status, body, { 'x-request-id': 'req_abc123' });
    await runTts(['config', 'set', 'kokoro.baseUrl', fake.url], { env: box.env });
    const r = await speakTo(box.path('a.mp3'), ['-p', provider], KEYS);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(detail);
    expect(r.stderr).toContain('request id req_abc123');
    expect(r.stderr).toContain(`${provider} answered ${status}`);
    expect(existsSync(box.path('a.mp3'))).toBe(false);
  });

  test("a shape the provider does not send is shown as it came, not read by another provider's rules", async () => {
    fake.fallback = jsonError(400, { status: 'failure', message: 'Invalid config passed' });
    const r = await speakTo(box.path('a.mp3'));
    expect(r.stderr).toContain('openai answered 400: {"status":"failure","message":"Invalid config passed"}');
  });
});

describe('retries', () => {
  test.each([400, 401, 403, 404])('%i is never retried', async (status) => {
    fake.fallback = jsonError(status, { error: { message: 'no' } });
    const r = await speakTo(box.path('a.mp3'));
    expect(r.code).toBe(4);
    expect(fake.requests).toHaveLength(1);
  });

  test.each([408, 409, 429, 500, 502, 503])('%i is retried, then succeeds', async (status) => {
    fake.reply(jsonError(status, { error: { message: 'busy' } }), jsonError(status, { error: { message: 'busy' } }));
    const r = await speakTo(box.path('a.mp3'));
    expect(r.code).toBe(0);
    expect(fake.requests).toHaveLength(3);
    expect(sniff(readFileSync(box.path('a.mp3')))).toEqual({ kind: 'audio', container: 'mp3' });
  });

  test("a rate limit's retry-after is honoured without using up --retries; the run gives up after 10 minutes without a success", async () => {
    const waits: number[] = [];
    fake.fallback = jsonError(429, { error: { message: 'Rate limit reached', code: 'rate_limit_exceeded' } }, { 'retry-after': '7' });
    const r = await runTts(['Hi.', '-o', box.path('a.mp3'), '--base-url', fake.url, '--retries', '2'], {
      env: { ...box.env, OPENAI_API_KEY: 'sk-test' },
      sleep: async (ms) => void waits.push(ms),
    });
    expect(r.code).toBe(4);
    // Every 7 s for ten minutes: 86 waits, 87 requests.
    expect(fake.requests).toHaveLength(87);
    expect(new Set(waits)).toEqual(new Set([7000]));
    expect(r.stderr).toMatch(/Rate limit reached; nothing has succeeded for 10 min, so tts gives up/);
    expect(r.stderr).toMatch(/hint: The provider keeps refusing/);
  });

  test('a 503 uses up --retries', async () => {
    fake.fallback = jsonError(503, { error: { message: 'Overloaded' } });
    const r = await speakTo(box.path('a.mp3'), ['--retries', '2']);
    expect(r.code).toBe(4);
    expect(fake.requests).toHaveLength(3);
    expect(r.stderr).toMatch(/Overloaded/);
  });

  test('retry-after-ms beats retry-after; without either the wait backs off exponentially', async () => {
    const waits: number[] = [];
    fake.reply(jsonError(503, {}, { 'retry-after-ms': '250', 'retry-after': '9' }), jsonError(503, {}), jsonError(503, {}));
    const r = await runTts(['Hi.', '-o', box.path('a.mp3'), '--base-url', fake.url], { env: { ...box.env, OPENAI_API_KEY: 'k' }, sleep: async (ms) => void waits.push(ms) });
    expect(r.code).toBe(0);
    // random() is 0.5 in tests: a quarter of that (12.5 %) comes off each back-off step.
    expect(waits).toEqual([250, 875, 1750]);
  });

  test('a retry-after within ten minutes is waited out exactly, not cut short', async () => {
    const waits: number[] = [];
    fake.reply(jsonError(429, { error: { message: 'Slow down' } }, { 'retry-after': '120' }));
    const r = await runTts(['Hi.', '-o', box.path('a.mp3'), '--base-url', fake.url], { env: { ...box.env, OPENAI_API_KEY: 'k' }, sleep: async (ms) => void waits.push(ms) });
    expect(r.code).toBe(0);
    expect(waits).toEqual([120_000]);
  });

  test('a retry-after of an hour stops the run at once, saying what the server asked', async () => {
    const waits: number[] = [];
    fake.fallback = jsonError(429, { error: { message: 'Rate limit reached for requests per day' } }, { 'retry-after': '3600' });
    const r = await runTts(['Hi.', '-o', box.path('a.mp3'), '--base-url', fake.url], { env: { ...box.env, OPENAI_API_KEY: 'k' }, sleep: async (ms) => void waits.push(ms) });
    expect(r.code).toBe(4);
    expect(fake.requests).toHaveLength(1);
    expect(waits).toEqual([]);
    expect(r.stderr).toMatch(/Rate limit reached for requests per day; the provider asks to wait 1 h/);
    expect(r.stderr).toMatch(/hint: .*rerun the same command after that\.\n/);
  });

  test.each([
    ["OpenAI's insufficient_quota, a 429 like a rate limit", 429, { error: { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', code: 'insufficient_quota' } }, /You exceeded your current quota/],
    ["OpenRouter's 402", 402, { error: { code: 402, message: 'Insufficient credits. Add more using https://openrouter.ai/credits' } }, /Insufficient credits/],
  ])('%s: one request, exit 4, the provider\'s words and what to do', async (_name, status, body, words) => {
    const waits: number[] = [];
    fake.fallback = jsonError(status, body, { 'retry-after': '1' });
    const r = await runTts(['Hi.', '-o', box.path('a.mp3'), '--base-url', fake.url], { env: { ...box.env, OPENAI_API_KEY: 'k' }, sleep: async (ms) => void waits.push(ms) });
    expect(r.code).toBe(4);
    expect(fake.requests).toHaveLength(1);
    expect(waits).toEqual([]);
    expect(r.stderr).toMatch(words);
    expect(r.stderr).toMatch(/hint: .*add credits, or check the plan/);
  });

  test('a body cut off in the middle is fetched again whole', async () => {
    fake.reply(resetMidBody());
    const out = box.path('a.pcm');
    const r = await speakTo(out);
    expect(r.code).toBe(0);
    expect(fake.requests).toHaveLength(2);
    expect(readFileSync(out).length).toBe('Hello there.'.length * 24 * 2);
  });

  test('a server that never answers times out with a clear message (--timeout)', async () => {
    fake.fallback = hang();
    const r = await speakTo(box.path('a.mp3'), ['--timeout', '1', '--retries', '0']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/no answer before the timeout/);
  });

  test('--timeout bounds the whole request: a server trickling a byte at a time is cut off', async () => {
    fake.fallback = (_req, res) => {
      res.writeHead(200, { 'content-type': 'audio/pcm' });
      const timer = setInterval(() => res.write(Buffer.alloc(1)), 700);
      res.on('close', () => clearInterval(timer));
    };
    const started = Date.now();
    const r = await speakTo(box.path('a.pcm'), ['--timeout', '2', '--retries', '0']);
    expect(r.code).toBe(4);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(r.stderr).toMatch(/still arriving when the timeout ran out/);
    expect(r.stderr).toMatch(/--timeout <seconds>.*from sending it to its last byte/);
  });

  test('audio that is slow but arrives within --timeout is saved whole', async () => {
    fake.fallback = async (req, res) => {
      const audio = fakePcm(String(req.body['input']));
      res.writeHead(200, { 'content-type': 'audio/pcm' });
      for (let at = 0; at < audio.length; at += 200) {
        res.write(audio.subarray(at, at + 200));
        await new Promise((done) => setTimeout(done, 150));
      }
      res.end();
    };
    const out = box.path('slow.pcm');
    const r = await speakTo(out, ['--timeout', '5', '--retries', '0']);
    expect(r.code).toBe(0);
    expect(readFileSync(out)).toEqual(fakePcm('Hello there.'));
  });

  test('an https base URL against a plain-HTTP server says so, once, without an OpenSSL dump', async () => {
    const r = await runTts(['Hi.', '-o', box.path('a.mp3'), '--base-url', `${fake.url.replace('http:', 'https:')}/v1`], { env: { ...box.env, OPENAI_API_KEY: 'k' } });
    expect(r.code).toBe(4);
    const plain = fake.url;
    expect(r.stderr).toContain(`the server at ${plain.replace('http:', 'https:')} does not speak HTTPS; did you mean ${plain}?`);
    expect(r.stderr).toContain(`e.g. ${plain}/v1`);
    expect(r.stderr).not.toMatch(/SSL routines|ssl3_|--timeout|retry/);
  });

  test('a refused connection is exit 4 and names the address', async () => {
    const closed = await FakeProvider.start();
    const url = closed.url;
    await closed.close();
    const r = await runTts(['Hi.', '-o', box.path('a.mp3'), '--base-url', url, '--retries', '0'], { env: { ...box.env, OPENAI_API_KEY: 'k' } });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`connection refused by ${url}`);
  });
});

describe('a 200 that is not audio is never saved as audio', () => {
  test('an HTML page (a captive portal, a wrong base URL)', async () => {
    fake.fallback = htmlPage();
    const r = await speakTo(box.path('a.mp3'));
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/HTML page/);
    expect(r.stderr).toMatch(/base URL/);
    expect(fake.requests).toHaveLength(1);
    expect(readdirSync(box.dir).filter((f) => f.includes('a.mp3'))).toEqual([]);
  });

  test('JSON with a 200 status', async () => {
    fake.fallback = (_req, res) => {
      res.writeHead(200, { 'content-type': 'audio/mpeg' });
      res.end('{"object":"list","data":[]}');
    };
    const r = await speakTo(box.path('a.mp3'));
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/JSON/);
  });

  test('another container than the one asked for', async () => {
    fake.fallback = (req, res) => speechReply()({ ...req, body: { ...req.body, response_format: 'mp3' } }, res);
    const r = await speakTo(box.path('a.flac'));
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/asked for flac but sent mp3/);
    expect(r.stderr).toMatch(/--format mp3 would work/);
  });
});

test('a failed run leaves an existing file untouched and no temporary file behind', async () => {
  const out = box.path('keep.mp3');
  writeFileSync(out, 'precious');
  fake.fallback = jsonError(500, { error: { message: 'boom' } });
  const r = await speakTo(out, ['--retries', '1']);
  expect(r.code).toBe(4);
  expect(readFileSync(out, 'utf8')).toBe('precious');
  expect(readdirSync(box.dir).filter((f) => f.endsWith('.part'))).toEqual([]);
});
