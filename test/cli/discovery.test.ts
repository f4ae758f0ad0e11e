import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { FakeProvider, jsonError, speechReply } from '../helpers/fake-provider.js';
import { runTts, Sandbox, useFakeProvider } from '../helpers/run-tts.js';

let fake: FakeProvider;
let box: Sandbox;
useFakeProvider((f, b) => ((fake = f), (box = b)), speechReply());

const KEY = 'sk-discovery-secret-0123456789';
const json = (body: unknown) => jsonError(200, body);
const OPENROUTER_MODELS = {
  data: [
    { id: 'openai/gpt-4o-mini-tts-2025-12-15', name: 'OpenAI: GPT-4o mini TTS', pricing: { prompt: '0.000012' }, architecture: { output_modalities: ['speech'] }, supported_voices: ['alloy', 'nova', 'sage'] },
    { id: 'mistralai/voxtral-mini-tts-2603', name: 'Voxtral Mini TTS', pricing: { prompt: '0.000016' }, supported_voices: ['amelie', 'paul'] },
  ],
};

describe('tts voices', () => {
  test("openai: its 13 built-in voices, without asking the network", async () => {
    const r = await runTts(['voices', '-p', 'openai', '--base-url', fake.url], { env: { ...box.env, OPENAI_API_KEY: KEY } });
    expect(r.code).toBe(0);
    expect(r.stdout.toString().trim().split('\n')).toEqual(['alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'onyx', 'nova', 'sage', 'shimmer', 'verse', 'marin', 'cedar']);
    expect(fake.requests).toHaveLength(0);
  });

  test('openai with no key: the built-in list all the same, and a word that it is the built-in list', async () => {
    const r = await runTts(['voices', '-p', 'openai', '--json'], { env: box.env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.toString())).toMatchObject({ provider: 'openai', source: 'built-in' });
    expect(JSON.parse(r.stdout.toString()).voices).toHaveLength(13);
    expect(r.stderr).toMatch(/no API key for OpenAI, so it was not asked: these are the voices tts knows/);
    const models = await runTts(['models', '-p', 'openrouter'], { env: box.env });
    expect(models.code).toBe(0);
    expect(models.stdout.toString()).toContain('openai/gpt-4o-mini-tts-2025-12-15');
    expect(models.stderr).toMatch(/these are the models tts knows \(set OPENROUTER_API_KEY for its own list\)/);
    expect(fake.requests).toHaveLength(0);
  });

  test('a Kokoro-FastAPI server: live from GET /audio/voices, as JSON for scripts', async () => {
    fake.fallback = json({ voices: ['af_heart', 'am_adam', 'bf_emma'] });
    await runTts(['config', 'set', 'kokoro.baseUrl', `${fake.url}/v1`], { env: box.env });
    const r = await runTts(['voices', '-p', 'kokoro', '--json'], { env: box.env });
    expect(r.code).toBe(0);
    expect(fake.requests[0]?.url).toBe('/v1/audio/voices');
    expect(JSON.parse(r.stdout.toString())).toEqual({ provider: 'kokoro', model: 'tts-1', source: 'provider', voices: [{ id: 'af_heart' }, { id: 'am_adam' }, { id: 'bf_emma' }] });
  });

  test("openrouter: the model's supported_voices from its models API", async () => {
    fake.fallback = json(OPENROUTER_MODELS);
    const r = await runTts(['voices', '-p', 'openrouter', '-m', 'mistralai/voxtral-mini-tts-2603', '--base-url', fake.url], { env: { ...box.env, OPENROUTER_API_KEY: KEY } });
    expect(r.stdout.toString().trim().split('\n')).toEqual(['amelie', 'paul']);
    expect(fake.requests[0]?.url).toBe('/models?output_modalities=speech');
    expect(fake.requests[0]?.headers['authorization']).toBe(`Bearer ${KEY}`);
  });

  test('a server that sends a list without end is cut off past 16 MiB, not read until the timeout', async () => {
    fake.fallback = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const piece = Buffer.alloc(1024 ** 2, 0x20);
      const pump = (): void => {
        while (!res.destroyed && res.write(piece));
      };
      res.on('drain', pump);
      res.write('{"voices": [');
      pump();
    };
    await runTts(['config', 'set', 'kokoro.baseUrl', `${fake.url}/v1`], { env: box.env });
    const started = Date.now();
    const r = await runTts(['voices', '-p', 'kokoro'], { env: box.env });
    expect(r.stderr).toMatch(/could not ask .*kokoro.* \(kokoro answered \/v1\/audio\/voices with more than 16 MiB: not a list tts can use\); showing the voices tts knows/);
    expect(r.code).toBe(0);
    // Listing waits at most 15 s for an answer: a cut-off comes well before that.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test('the built-in voice lists eSpeak NG languages', async () => {
    const r = await runTts(['voices', '-p', 'local', '--json'], { env: box.env });
    const voices = (JSON.parse(r.stdout.toString()) as { voices: { id: string; name: string }[] }).voices;
    expect(voices.length).toBeGreaterThan(100);
    expect(voices.find((v) => v.id === 'en-us')?.name).toBe('English (America)');
    expect(voices.some((v) => v.id === 'de')).toBe(true);
  });
});

describe('tts models', () => {
  test('openrouter: live speech models with their prices', async () => {
    fake.fallback = json(OPENROUTER_MODELS);
    const r = await runTts(['models', '-p', 'openrouter', '--base-url', fake.url], { env: { ...box.env, OPENROUTER_API_KEY: KEY } });
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatch(/^openai\/gpt-4o-mini-tts-2025-12-15 +OpenAI: GPT-4o mini TTS +\$12\.00 per million characters\nmistralai\/voxtral-mini-tts-2603 +Voxtral Mini TTS +\$16\.00 per million characters\n$/);
  });

  test("openai: GET /models, kept to the speech models", async () => {
    fake.fallback = json({ data: [{ id: 'gpt-4o' }, { id: 'tts-1' }, { id: 'whisper-1' }, { id: 'gpt-4o-mini-tts' }, { id: 'tts-1-hd' }] });
    const r = await runTts(['models', '--json', '--base-url', fake.url], { env: { ...box.env, OPENAI_API_KEY: KEY } });
    expect(JSON.parse(r.stdout.toString()).models.map((m: { id: string }) => m.id)).toEqual(['tts-1', 'gpt-4o-mini-tts', 'tts-1-hd']);
  });

  test('a provider that cannot answer: the built-in list, and a word saying so', async () => {
    fake.fallback = jsonError(503, { error: { message: 'down for maintenance' } });
    const r = await runTts(['models', '--base-url', fake.url], { env: { ...box.env, OPENAI_API_KEY: KEY } });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/could not ask OpenAI \(openai answered 503: down for maintenance\); showing the models tts knows/);
    expect(r.stdout.toString()).toContain('tts-1-hd');
  });
});

describe('--dry-run', () => {
  const book = 'A sentence of some length, spoken aloud. '.repeat(300);

  test('shows the chunk plan and the cost, sends nothing and writes nothing', async () => {
    const out = box.path('book.mp3');
    const r = await runTts(['-o', out, '-m', 'tts-1', '--dry-run', '--base-url', fake.url], { env: { ...box.env, OPENAI_API_KEY: KEY }, stdin: book });
    expect(r.code).toBe(0);
    const text = r.stdout.toString();
    // 300 sentences of 41 characters, less the space trimmed at the end of each of the 4 chunks.
    expect(text).toMatch(/^Dry run: 4 chunks, 12,296 characters, to .*book\.mp3 as mp3\n/);
    expect(text.match(/^ +\d\. +\d+ chars/gm)).toHaveLength(4);
    expect(text).toMatch(/Estimated cost: ~\$0\.18 \(\$15 per million characters\)/);
    expect(fake.requests).toHaveLength(0);
    expect(existsSync(out)).toBe(false);
  });

  test("a self-hosted server is not priced by OpenAI's table, even under an OpenAI model name", async () => {
    await runTts(['config', 'set', 'kokoro.baseUrl', fake.url], { env: box.env });
    const r = await runTts(['-p', 'kokoro', '-m', 'tts-1', '-o', box.path('k.mp3'), '--dry-run'], { env: box.env, stdin: book });
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toContain('Estimated cost: unknown for this provider');
    expect(fake.requests).toHaveLength(0);
  });

  test('--json gives the plan to scripts; OpenRouter is priced from its models API', async () => {
    fake.fallback = json(OPENROUTER_MODELS);
    const r = await runTts(['-p', 'openrouter', '-o', box.path('b.mp3'), '--dry-run', '--json', '--base-url', fake.url], { env: { ...box.env, OPENROUTER_API_KEY: KEY }, stdin: book });
    const plan = JSON.parse(r.stdout.toString());
    expect(plan.chunks.map((c: { characters: number }) => c.characters).reduce((a: number, b: number) => a + b)).toBe(plan.characters);
    expect(plan.estimatedCostUsd).toBeCloseTo(plan.characters * 0.000012, 6);
    expect(fake.requests.map((q) => q.method)).toEqual(['GET']);
  });
});

describe('after a run', () => {
  test('--json: chunks, characters, seconds, bytes, requests, retries, cache hits, cost and request ids', async () => {
    let failed = false;
    fake.fallback = async (req, res) => {
      if (!failed) {
        failed = true;
        return jsonError(503, { error: { message: 'busy' } })(req, res);
      }
      return speechReply({ headers: { 'x-request-id': 'req_fixed' } })(req, res);
    };
    const out = box.path('s.wav');
    const r = await runTts(['Hello there, friend.', '-o', out, '-m', 'tts-1', '--json', '--base-url', fake.url], { env: { ...box.env, OPENAI_API_KEY: KEY } });
    const summary = JSON.parse(r.stdout.toString());
    expect(summary).toEqual({
      output: out, provider: 'openai', model: 'tts-1', voice: 'alloy', format: 'wav', chunks: 1, characters: 20,
      audioSeconds: 0.02, bytes: readFileSync(out).length, requests: 2, retries: 1, cacheHits: 0, charactersSent: 20,
      estimatedCostUsd: 0.0003, costBasis: '$15 per million characters', requestIds: ['req_fixed'],
    });
    const again = JSON.parse((await runTts(['Hello there, friend.', '-o', out, '-m', 'tts-1', '--json', '--base-url', fake.url], { env: { ...box.env, OPENAI_API_KEY: KEY } })).stdout.toString());
    expect(again).toMatchObject({ requests: 0, cacheHits: 1 });
  });

  test('the cost counts only the characters sent: chunks from the cache are free', async () => {
    const text = Array.from({ length: 150 }, (_, i) => `Sentence ${i + 1} of a text long enough for several chunks, spoken aloud.`).join(' ');
    const run = (extra: string[]) => runTts(['-o', box.path('book.mp3'), '-m', 'tts-1', '-c', '1', '--base-url', fake.url, ...extra], { env: { ...box.env, OPENAI_API_KEY: KEY }, stdin: text });
    // The first run fails on its second chunk; the first is cached.
    fake.reply(speechReply(), jsonError(400, { error: { message: 'no' } }));
    expect((await run([])).code).toBe(4);
    const resumed = JSON.parse((await run(['--json'])).stdout.toString());
    expect(resumed.cacheHits).toBe(1);
    const sent = fake.requests.slice(2).reduce((n, r) => n + [...String(r.body['input'])].length, 0);
    expect(resumed.charactersSent).toBe(sent);
    expect(resumed.charactersSent).toBeLessThan(resumed.characters);
    expect(resumed.estimatedCostUsd).toBeCloseTo((sent * 15) / 1e6, 6);
    // All from the cache: nothing was paid, and the summary line names no price.
    const again = await run([]);
    expect(again.stderr).toMatch(/from cache\n$/);
    expect(again.stderr).not.toContain('$');
  });

  test('--verbose shows each request; --debug its headers with the key masked, and its body', async () => {
    const verbose = await runTts(['Hello.', '-o', box.path('v.mp3'), '--verbose', '--base-url', fake.url], { env: { ...box.env, OPENAI_API_KEY: KEY } });
    expect(verbose.stderr).toMatch(new RegExp(`chunk 1/1, try 1: POST ${fake.url}/audio/speech → 200, \\d+ kB, req_\\w+ in \\d\\.\\d\\d s`));
    const debug = await runTts(['Hello again.', '-o', box.path('d.mp3'), '--debug', '--base-url', fake.url], { env: { ...box.env, OPENAI_API_KEY: KEY } });
    expect(debug.stderr).toContain('tts:   authorization: Bearer sk-…6789');
    expect(debug.stderr).toContain('tts:   body: {"model":"gpt-4o-mini-tts","input":"Hello again."');
    expect(debug.stderr + debug.stdout.toString()).not.toContain(KEY);
  });
});

describe('shell completion', () => {
  test.each(['bash', 'zsh', 'fish'])('%s: commands, flags and their values', async (shell) => {
    const r = await runTts(['completion', shell], { env: box.env });
    expect(r.code).toBe(0);
    const script = r.stdout.toString();
    for (const word of ['voices', 'models', 'config', 'dry-run', 'stream-format', 'openrouter', 'opus']) expect(script).toContain(word);
  });

  test('the bash script parses and completes formats', async () => {
    const script = box.path('tts.bash');
    writeFileSync(script, (await runTts(['completion', 'bash'], { env: box.env })).stdout);
    const out = execFileSync('bash', ['-c', `source ${script}; COMP_WORDS=(tts --format ""); COMP_CWORD=2; _tts; echo "\${COMPREPLY[*]}"`], { encoding: 'utf8' });
    expect(out.trim()).toBe('mp3 opus aac flac wav pcm m4a m4b');
  });

  test('an unknown shell is a usage error', async () => {
    const r = await runTts(['completion', 'tcsh'], { env: box.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/No completion for "tcsh".*bash, zsh, fish/s);
  });
});
