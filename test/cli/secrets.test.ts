import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FakeProvider, jsonError } from '../helpers/fake-provider.js';
import { runTts, Sandbox, useFakeProvider } from '../helpers/run-tts.js';

let fake: FakeProvider;
let box: Sandbox;
useFakeProvider((f, b) => ((fake = f), (box = b)));

const PASSWORD = 's3cret-pass-word';
const TOKEN = 'tok-0123456789abcdef';
const KEY = 'sk-live-DO-NOT-PRINT-0123456789';
const everything = (r: { stdout: Buffer; stderr: string }): string => r.stderr + r.stdout.toString();

describe('a base URL with credentials', () => {
  const withCredentials = () => `${fake.url.replace('http://', `http://alice:${PASSWORD}@`)}/v1?token=${TOKEN}`;

  test('sends them as Basic auth, keeps the query after the path, and prints them nowhere', async () => {
    expect((await runTts(['config', 'set', 'kokoro.baseUrl', withCredentials()], { env: box.env })).stderr).not.toContain(PASSWORD);
    const listed = await runTts(['config', 'list'], { env: box.env });
    const got = await runTts(['config', 'get', 'kokoro.baseUrl'], { env: box.env });
    expect(got.stdout.toString()).toBe(`${fake.url.replace('http://', 'http://alice:****@')}/v1?token=****\n`);
    const run = await runTts(['Hi.', '-p', 'kokoro', '-o', box.path('a.mp3'), '--debug', '--json'], { env: box.env });
    expect(run.code).toBe(0);
    const [req] = fake.requests;
    expect(req?.url).toBe(`/v1/audio/speech?token=${TOKEN}`);
    expect(req?.headers['authorization']).toBe(`Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`);
    expect(run.stderr).toContain(`POST ${fake.url.replace('http://', 'http://alice:****@')}/v1/audio/speech?token=****`);
    for (const r of [listed, got, run]) {
      expect(everything(r)).not.toContain(PASSWORD);
      expect(everything(r)).not.toContain(TOKEN);
    }
  });

  test("voices and models are asked at the same URL, the query after the endpoint's path", async () => {
    fake.fallback = jsonError(200, { voices: ['af_heart'], data: [{ id: 'kokoro' }] });
    await runTts(['config', 'set', 'kokoro.baseUrl', withCredentials()], { env: box.env });
    expect((await runTts(['voices', '-p', 'kokoro'], { env: box.env })).code).toBe(0);
    expect((await runTts(['models', '-p', 'kokoro'], { env: box.env })).code).toBe(0);
    expect(fake.requests.map((r) => r.url)).toEqual([`/v1/audio/voices?token=${TOKEN}`, `/v1/models?token=${TOKEN}`]);
    expect(fake.requests.every((r) => r.headers['authorization']?.startsWith('Basic '))).toBe(true);
  });

  test("azure's own query and the base URL's travel together", async () => {
    const r = await runTts(['Hi.', '-p', 'azure', '-m', 'my-tts', '-o', box.path('a.mp3')], {
      env: { ...box.env, AZURE_OPENAI_API_KEY: KEY, AZURE_OPENAI_ENDPOINT: `${fake.url}?sig=${TOKEN}` },
    });
    expect(r.code).toBe(0);
    expect(fake.requests[0]?.url).toBe(`/openai/deployments/my-tts/audio/speech?api-version=2024-10-21&sig=${TOKEN}`);
  });

  test('beside a key sent as an Authorization header, they are refused before any request (exit 3)', async () => {
    const r = await runTts(['Hi.', '-o', box.path('a.mp3'), '--base-url', withCredentials()], { env: { ...box.env, OPENAI_API_KEY: KEY } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/carries a user name and password, but OpenAI already sends its key in the Authorization header/);
    expect(r.stderr).toMatch(/hint: .*OPENAI_API_KEY or tts config set openai\.apiKey/);
    expect(fake.requests).toHaveLength(0);
    expect(everything(r)).not.toContain(PASSWORD);
    expect(everything(r)).not.toContain(TOKEN);
  });

  test('a provider message quoting the URL shows it masked', async () => {
    fake.fallback = jsonError(502, { error: { message: `upstream ${withCredentials()} is down` } });
    await runTts(['config', 'set', 'kokoro.baseUrl', withCredentials()], { env: box.env });
    const r = await runTts(['Hi.', '-p', 'kokoro', '-o', box.path('a.mp3'), '--retries', '1', '--json'], { env: box.env });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('upstream http://alice:****@');
    expect(JSON.parse(r.stdout.toString()).error.message).toContain('token=****');
    expect(everything(r)).not.toContain(PASSWORD);
    expect(everything(r)).not.toContain(TOKEN);
  });
});

describe('secrets a provider echoes back', () => {
  test("LiteLLM's 401 quoting the key: hidden from the message, --verbose, and the JSON error", async () => {
    fake.fallback = jsonError(401, { error: { message: `Authentication Error, Received API Key = ${KEY}, Key Hash (Token) =e3b0c442`, type: 'auth_error', code: '401' } });
    const r = await runTts(['Hi.', '-p', 'litellm', '-o', box.path('a.mp3'), '--base-url', fake.url, '--verbose', '--json'], { env: { ...box.env, LITELLM_API_KEY: KEY } });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('Received API Key = sk-…6789');
    expect(r.stderr).toMatch(/try 1: POST .* failed: .*Received API Key = sk-…6789/);
    expect(JSON.parse(r.stdout.toString()).error).toMatchObject({ kind: 'provider', status: 401, message: expect.stringContaining('sk-…6789') });
    expect(everything(r)).not.toContain(KEY);
  });

  test('a key-looking token is masked even when it is not ours', async () => {
    fake.fallback = jsonError(401, { error: { message: 'Received API Key = sk-someone-elses-key-abcdef' } });
    const r = await runTts(['Hi.', '-o', box.path('a.mp3'), '--base-url', fake.url], { env: { ...box.env, OPENAI_API_KEY: 'k' } });
    expect(r.stderr).toContain('sk-…cdef');
    expect(r.stderr).not.toContain('sk-someone-elses-key-abcdef');
  });

  test("a gateway's secret header values (Portkey's virtual key) are hidden too", async () => {
    const virtualKey = 'vk-openai-prod-7f3a9c2e';
    await runTts(['config', 'set', 'portkey.virtualKey', virtualKey], { env: box.env });
    fake.fallback = jsonError(400, { status: 'failure', message: `Invalid virtual key ${virtualKey}` });
    const r = await runTts(['Hi.', '-p', 'portkey', '-o', box.path('a.mp3'), '--base-url', fake.url, '--debug'], { env: box.env });
    expect(r.code).toBe(4);
    expect(fake.requests[0]?.headers['x-portkey-virtual-key']).toBe(virtualKey);
    expect(r.stderr).toContain('Invalid virtual key vk-…9c2e');
    expect(everything(r)).not.toContain(virtualKey);
  });
});

describe('control characters in text', () => {
  const TITLE = '\u001b]0;pwned\u0007';

  test('--dry-run shows them escaped, and they are not part of what would be spoken', async () => {
    const r = await runTts([`${TITLE}Hello there.`, '--dry-run', '-o', box.path('a.mp3')], { env: box.env });
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(r.stdout.toString()).toContain('"]0;pwnedHello there."');
  });

  test('they are dropped from what is sent; tab and newline are kept', async () => {
    const r = await runTts(['-o', box.path('a.mp3'), '--base-url', fake.url], { env: { ...box.env, OPENAI_API_KEY: 'k' }, stdin: `${TITLE}Hi\tthere.\n\u009b2JBye.\f` });
    expect(r.code).toBe(0);
    expect(fake.inputs()).toEqual([']0;pwnedHi\tthere.\n2JBye.']);
  });

  test("an error quoting the user's words or a provider's message escapes them", async () => {
    const flag = await runTts(['Hi.', '-F', `\u001b[2Jmp3`], { env: box.env });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('Unknown format "\\x1b[2Jmp3"');
    fake.fallback = jsonError(400, { error: { message: `bad voice ${TITLE}` } });
    const provider = await runTts(['Hi.', '-o', box.path('a.mp3'), '--base-url', fake.url], { env: { ...box.env, OPENAI_API_KEY: 'k' } });
    expect(provider.stderr).toContain('bad voice \\x1b]0;pwned\\x07');
    for (const r of [flag, provider]) expect(r.stderr).not.toMatch(/[\u001b\u0007]/);
  });
});

describe('a key no HTTP header can carry', () => {
  test.each([
    ['a line break', 'sk-abcdef\nsk-ghijkl', /holds a line break/],
    ['curly quotes', '\u201csk-abcdefghijkl\u201d', /holds a curly quote \(U\+201C\)/],
    ['a non-Latin-1 character', 'sk-abc\u2014defghijkl', /holds the character U\+2014, which is not Latin-1/],
  ])('from the environment, %s: exit 3 at once, naming the variable, never the key', async (_what, key, problem) => {
    const r = await runTts(['Hi.', '-o', box.path('a.mp3'), '--base-url', fake.url], { env: { ...box.env, OPENAI_API_KEY: key } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/The API key in the environment variable OPENAI_API_KEY/);
    expect(r.stderr).toMatch(problem);
    expect(r.stderr).not.toMatch(/retry|timeout/);
    expect(r.stderr).not.toContain('abcdef');
    expect(fake.requests).toHaveLength(0);
  });

  test('from the config file: named by its config key; and config set refuses such a key', async () => {
    const dir = join(box.env['XDG_CONFIG_HOME']!, 'tts');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ openai: { apiKey: '\u201csk-abcdefghijkl\u201d' } }), { mode: 0o600 });
    const r = await runTts(['Hi.', '-p', 'openai', '-o', box.path('a.mp3'), '--base-url', fake.url], { env: box.env });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/The API key in openai\.apiKey in the config file holds a curly quote/);
    expect(fake.requests).toHaveLength(0);
    const set = await runTts(['config', 'set', 'openai.apiKey'], { env: box.env, stdin: 'sk-abc\u2019defghijkl\n' });
    expect(set.code).toBe(2);
    expect(set.stderr).toMatch(/openai\.apiKey holds a curly quote/);
  });
});
