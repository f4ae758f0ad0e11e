import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { bytesReply, FakeProvider, fakePcm, jsonError, sseReply, streamingWav } from '../helpers/fake-provider.js';
import { runTts, Sandbox, useFakeProvider } from '../helpers/run-tts.js';

let fake: FakeProvider;
let box: Sandbox;
useFakeProvider((f, b) => ((fake = f), (box = b)));

const KEY = 'sk-test-DO-NOT-PRINT-abcdef123456';

describe('the request each provider is sent', () => {
  test('openai: Bearer key, exactly the fields OpenAI takes, at <base>/audio/speech', async () => {
    const r = await runTts(['Hello there.', '-o', box.path('a.mp3'), '-v', 'nova', '-s', '1.5', '-i', 'Cheerfully.', '--base-url', `${fake.url}/v1`], {
      env: { ...box.env, OPENAI_API_KEY: KEY },
    });
    expect(r.code).toBe(0);
    const [req] = fake.requests;
    expect(req?.url).toBe('/v1/audio/speech');
    expect(req?.headers['authorization']).toBe(`Bearer ${KEY}`);
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.body).toEqual({ model: 'gpt-4o-mini-tts', input: 'Hello there.', voice: 'nova', response_format: 'mp3', speed: 1.5, instructions: 'Cheerfully.' });
  });

  test('openai: tts-1 is never sent instructions or SSE, which it refuses; the user is told', async () => {
    const r = await runTts(['Hi.', '-o', box.path('a.mp3'), '-m', 'tts-1', '-i', 'Softly.', '--stream-format', 'sse', '--base-url', fake.url], {
      env: { ...box.env, OPENAI_API_KEY: KEY },
    });
    expect(r.code).toBe(0);
    expect(fake.requests[0]?.body).toEqual({ model: 'tts-1', input: 'Hi.', voice: 'alloy', response_format: 'mp3' });
    expect(r.stderr).toContain('tts-1 does not take --instructions');
    expect(r.stderr).toContain('tts-1 cannot stream SSE');
  });

  test('openai: --stream-format sse asks for SSE and decodes its deltas into the same audio', async () => {
    fake.fallback = sseReply(333);
    const out = box.path('a.pcm');
    const r = await runTts(['Streamed as events.', '-o', out, '--stream-format', 'sse', '--base-url', fake.url], { env: { ...box.env, OPENAI_API_KEY: KEY } });
    expect(r.code).toBe(0);
    expect(fake.requests[0]?.body).toMatchObject({ stream_format: 'sse', response_format: 'pcm' });
    expect(readFileSync(out)).toEqual(fakePcm('Streamed as events.'));
  });

  test('a server that ignores stream_format and sends raw audio is still understood', async () => {
    fake.fallback = bytesReply((req) => streamingWav(fakePcm(String(req.body['input']))), { contentType: 'audio/wav' });
    const out = box.path('raw.wav');
    const r = await runTts(['Raw after all.', '-o', out, '--stream-format', 'sse', '--base-url', fake.url], { env: { ...box.env, OPENAI_API_KEY: KEY } });
    expect(r.code).toBe(0);
    expect(fake.requests[0]?.body['stream_format']).toBe('sse');
    expect(readFileSync(out).subarray(44)).toEqual(fakePcm('Raw after all.'));
  });

  test('openai: a custom voice id is sent as a voice object', async () => {
    await runTts(['Hi.', '-o', box.path('a.mp3'), '-v', 'voice_1234abcd', '--base-url', fake.url], { env: { ...box.env, OPENAI_API_KEY: KEY } });
    expect(fake.requests[0]?.body['voice']).toEqual({ id: 'voice_1234abcd' });
  });

  test('openai: OPENAI_BASE_URL is honoured, and --base-url beats it', async () => {
    await runTts(['Hi.', '-o', box.path('a.mp3')], { env: { ...box.env, OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${fake.url}/from-env` } });
    await runTts(['Hi.', '-o', box.path('b.mp3'), '--base-url', `${fake.url}/from-flag`], { env: { ...box.env, OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${fake.url}/from-env` } });
    expect(fake.requests.map((r) => r.url)).toEqual(['/from-env/audio/speech', '/from-flag/audio/speech']);
  });

  test('openrouter: wav is made here from pcm, which it sends; instructions go in provider.options', async () => {
    fake.fallback = bytesReply((req) => fakePcm(String(req.body['input'])), { contentType: 'audio/pcm;rate=24000;channels=1' });
    const out = box.path('a.wav');
    const r = await runTts(['Hello there.', '-p', 'openrouter', '-o', out, '-i', 'Warmly.', '--base-url', fake.url], { env: { ...box.env, OPENROUTER_API_KEY: KEY } });
    expect(r.code).toBe(0);
    expect(fake.requests[0]?.body).toEqual({
      model: 'openai/gpt-4o-mini-tts-2025-12-15',
      input: 'Hello there.',
      voice: 'alloy',
      response_format: 'pcm',
      provider: { options: { openai: { instructions: 'Warmly.' } } },
    });
    const wav = readFileSync(out);
    expect(wav.toString('latin1', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(24)).toBe(24_000);
    expect(wav.readUInt32LE(40)).toBe(fakePcm('Hello there.').length);
    expect(wav.subarray(44)).toEqual(fakePcm('Hello there.'));
    expect(r.stderr).toMatch(/cannot send wav: asking for pcm and making wav here/);
  });

  test('openrouter: aac, which cannot be made here, is refused before any request, naming what works', async () => {
    const r = await runTts(['Hi.', '-p', 'openrouter', '-o', box.path('a.aac'), '--base-url', fake.url], { env: { ...box.env, OPENROUTER_API_KEY: KEY } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot produce aac/);
    expect(r.stderr).toMatch(/mp3, pcm/);
    expect(fake.requests).toHaveLength(0);
    expect(readdirSync(box.dir).filter((f) => f.includes('a.aac'))).toEqual([]);
  });

  test('litellm: the proxy root is the base URL, and its audio/mpeg label on wav is not believed', async () => {
    fake.fallback = bytesReply((req) => streamingWav(fakePcm(String(req.body['input']))), { contentType: 'audio/mpeg' });
    const out = box.path('a.wav');
    const r = await runTts(['Hi.', '-p', 'litellm', '-m', 'tts', '-o', out, '--base-url', fake.url], { env: { ...box.env, LITELLM_API_KEY: KEY } });
    expect(r.code).toBe(0);
    expect(fake.requests[0]?.url).toBe('/audio/speech');
    expect(fake.requests[0]?.headers['authorization']).toBe(`Bearer ${KEY}`);
    expect(readFileSync(out).subarray(44)).toEqual(fakePcm('Hi.'));
  });

  test('portkey: its key, a virtual key for routing, and instructions left out with a warning', async () => {
    await runTts(['config', 'set', 'portkey.virtualKey', 'vk-openai-123'], { env: box.env });
    const r = await runTts(['Hi.', '-p', 'portkey', '-o', box.path('a.mp3'), '-i', 'Slowly.', '--base-url', fake.url], { env: { ...box.env, PORTKEY_API_KEY: KEY } });
    expect(r.code).toBe(0);
    const req = fake.requests[0]!;
    expect(req.headers['x-portkey-api-key']).toBe(KEY);
    expect(req.headers['x-portkey-virtual-key']).toBe('vk-openai-123');
    expect(req.body).toEqual({ model: 'gpt-4o-mini-tts', input: 'Hi.', voice: 'alloy', response_format: 'mp3' });
    expect(r.stderr).toMatch(/Portkey's gateway drops --instructions/);
  });

  test("portkey: provider routing sends the provider's key as Bearer and a config header", async () => {
    for (const [key, value] of [['portkey.provider', 'openai'], ['portkey.providerApiKey', 'sk-upstream-xyz'], ['portkey.config', 'pc-abc-123']]) {
      expect((await runTts(['config', 'set', key!, value!], { env: box.env })).code).toBe(0);
    }
    const r = await runTts(['Hi.', '-p', 'portkey', '-o', box.path('a.mp3'), '--base-url', fake.url], { env: box.env });
    expect(r.code).toBe(0);
    const req = fake.requests[0]!;
    expect(req.headers['x-portkey-provider']).toBe('openai');
    expect(req.headers['authorization']).toBe('Bearer sk-upstream-xyz');
    expect(req.headers['x-portkey-config']).toBe('pc-abc-123');
    expect(req.headers['x-portkey-api-key']).toBeUndefined();
  });

  test('aqueduct: raw audio labelled text/event-stream is saved as audio, not parsed as SSE', async () => {
    fake.fallback = bytesReply((req) => fakePcm(String(req.body['input'])), { contentType: 'text/event-stream' });
    const out = box.path('a.pcm');
    const r = await runTts(['Hi.', '-p', 'aqueduct', '-o', out], { env: { ...box.env, AQUEDUCT_API_KEY: KEY, AQUEDUCT_BASE_URL: fake.url } });
    expect(r.code).toBe(0);
    expect(fake.requests[0]?.body).toMatchObject({ model: 'kokoro', voice: 'af_alloy', response_format: 'pcm' });
    expect(readFileSync(out)).toEqual(fakePcm('Hi.'));
  });

  test('aqueduct: with no base URL anywhere, exit 3 naming how to set one', async () => {
    const r = await runTts(['Hi.', '-p', 'aqueduct', '-o', box.path('a.mp3')], { env: { ...box.env, AQUEDUCT_API_KEY: KEY } });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('AQUEDUCT_BASE_URL');
    expect(r.stderr).toContain('tts config set aqueduct.baseUrl');
  });

  test('azure: the deployment in the path, api-version in the query, the key in api-key', async () => {
    const r = await runTts(['Hi.', '-p', 'azure', '-m', 'my-tts', '-o', box.path('a.mp3')], {
      env: { ...box.env, AZURE_OPENAI_API_KEY: KEY, AZURE_OPENAI_ENDPOINT: fake.url },
    });
    expect(r.code).toBe(0);
    const req = fake.requests[0]!;
    expect(req.url).toBe('/openai/deployments/my-tts/audio/speech?api-version=2024-10-21');
    expect(req.headers['api-key']).toBe(KEY);
    expect(req.headers['authorization']).toBeUndefined();
  });

  test('a custom provider from the config: any OpenAI-compatible server, no key needed', async () => {
    await runTts(['config', 'set', 'kokoro.baseUrl', `${fake.url}/v1`], { env: box.env });
    const r = await runTts(['Hi.', '-p', 'kokoro', '-m', 'kokoro', '-v', 'af_heart', '-o', box.path('a.mp3')], { env: box.env });
    expect(r.code).toBe(0);
    expect(fake.requests[0]?.url).toBe('/v1/audio/speech');
    expect(fake.requests[0]?.headers['authorization']).toBeUndefined();
    expect(fake.requests[0]?.body).toMatchObject({ model: 'kokoro', voice: 'af_heart' });
  });
});

describe('choosing a provider', () => {
  test('with no --provider, the config provider wins; else openai when it has a key; else the only one with a key', async () => {
    const run = (env: Record<string, string>) => runTts(['Hi.', '-o', box.path('a.mp3'), '--base-url', fake.url, '--no-cache'], { env: { ...box.env, ...env } });
    await run({ OPENAI_API_KEY: 'k1', OPENROUTER_API_KEY: 'k2' });
    await run({ OPENROUTER_API_KEY: 'k2' });
    expect((await runTts(['config', 'set', 'provider', 'openrouter'], { env: box.env })).code).toBe(0);
    await run({ OPENAI_API_KEY: 'k1', OPENROUTER_API_KEY: 'k3' });
    expect(fake.requests.map((r) => r.headers['authorization'])).toEqual(['Bearer k1', 'Bearer k2', 'Bearer k3']);
    expect(fake.requests.map((r) => r.body['model'])).toEqual(['gpt-4o-mini-tts', 'openai/gpt-4o-mini-tts-2025-12-15', 'openai/gpt-4o-mini-tts-2025-12-15']);
  });

  test('a named provider without a key is exit 3, naming the variable and the config command, and sends nothing', async () => {
    const r = await runTts(['Hi.', '-p', 'openrouter', '-o', box.path('a.mp3'), '--base-url', fake.url], { env: box.env });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('OPENROUTER_API_KEY');
    expect(r.stderr).toContain('tts config set openrouter.apiKey');
    expect(fake.requests).toHaveLength(0);
  });

  test('an unknown provider is a usage error listing the known ones', async () => {
    const r = await runTts(['Hi.', '-p', 'nope', '-o', box.path('a.mp3')], { env: box.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown provider "nope".*openai, openrouter/s);
  });

  test('several keys and no default: exit 3 asking which one', async () => {
    const r = await runTts(['Hi.', '-o', box.path('a.mp3')], { env: { ...box.env, OPENROUTER_API_KEY: 'a', AZURE_OPENAI_API_KEY: 'b' } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/openrouter, azure/);
  });
});

test('the API key never appears in any output, errors and --debug included', async () => {
  fake.fallback = jsonError(401, { error: { message: `Incorrect API key provided: ${KEY}`.replace(KEY, 'sk-tes****3456'), type: 'invalid_request_error', code: 'invalid_api_key' } });
  const r = await runTts(['Hi.', '-o', box.path('a.mp3'), '--base-url', fake.url, '--debug'], { env: { ...box.env, OPENAI_API_KEY: KEY } });
  expect(r.code).toBe(4);
  expect(r.stderr + r.stdout.toString()).not.toContain(KEY);
  const list = await runTts(['config', 'set', 'openai.apiKey', KEY], { env: box.env });
  const shown = await runTts(['config', 'list'], { env: box.env });
  expect(list.stderr + shown.stdout.toString()).not.toContain(KEY);
});
