import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { ErrorShape, ModelInfo, ProviderConnection, ProviderSpec } from '../../src/providers/provider-spec.js';
import { joinUrl } from '../../src/providers/provider-spec.js';
import { BUILT_IN_PROVIDERS } from '../../src/providers/registry.js';
import { decode, probe, requireTool } from '../helpers/audio-tools.js';
import { bytesReply, FakeProvider, fakePcm, jsonError, type Reply } from '../helpers/fake-provider.js';
import { runTts, Sandbox, useFakeProvider } from '../helpers/run-tts.js';

/**
 * A provider that shares nothing with OpenAI: its own path, auth headers, body, error shape, billing
 * code, request-id header, model catalog with voices and prices, and config keys. It is defined here,
 * in one place, and added to the list as a line in the registry would add it: everything else in tts
 * must learn all of that from this object alone.
 */
const TOKEN = 'acme-token-0123456789abcdef';
const ACCOUNT = 'acct-secret-9876543210fedcba';

const acmeHeaders = (connection: ProviderConnection): Record<string, string> => {
  const account = connection.setting('account');
  return { 'x-acme-token': connection.apiKey ?? '', ...(account ? { 'x-acme-account': account } : {}) };
};

/** `{fault:{text,id}}`: Acme's only error shape. */
const acmeFault: ErrorShape = (body) => {
  const fault = (body as { fault?: { text?: string; id?: string } } | null)?.fault;
  return fault ? { message: fault.text, code: fault.id } : undefined;
};

/** `{items:[{slug,title,usd_per_char,speakers}]}`. */
const acmeCatalog = (body: unknown): ModelInfo[] =>
  ((body as { items?: { slug: string; title: string; usd_per_char: number; speakers: string[] }[] }).items ?? []).map((item) => ({
    id: item.slug,
    name: item.title,
    perCharacterUsd: item.usd_per_char,
    voices: item.speakers,
  }));

const acme: ProviderSpec = {
  name: 'acme',
  description: 'Acme Voice',
  apiKeyEnv: 'ACME_TOKEN',
  baseUrlEnv: ['ACME_BASE_URL'],
  keyRequired: true,
  formats: ['pcm'],
  defaultModel: 'acme-1',
  defaultVoice: 'ada',
  voices: ['ada'],
  models: ['acme-1'],
  maxInputChars: 1000,
  authHeaders: acmeHeaders,
  secretHeaders: ['x-acme-token', 'x-acme-account'],
  responses: { errorShapes: [acmeFault], billing: { statuses: [], codes: /^wallet_empty$/ }, requestIdHeaders: ['x-acme-trace'] },
  discovery: { models: { path: 'catalog', read: acmeCatalog }, voicesFromModels: true, pricesFromModels: true },
  settings: { account: { about: 'the account to bill', secret: true }, region: { about: 'where to speak' } },
  prepare: (connection, settings) => ({
    kind: 'http',
    warnings: [],
    request: (input) => ({
      url: joinUrl(connection.baseUrl, 'v2/speak'),
      headers: { 'content-type': 'application/json', ...acmeHeaders(connection) },
      body: JSON.stringify({ text: input, speaker: settings.voice, engine: settings.model }),
    }),
  }),
};

const providers = [...BUILT_IN_PROVIDERS, acme];

/** Acme answers raw 24 kHz pcm for its `text`. */
const acmeSpeech: Reply = bytesReply((req) => fakePcm(String(req.body['text'])), { contentType: 'audio/L16', headers: { 'x-acme-trace': 'trace-ok' } });

const CATALOG = {
  items: [
    { slug: 'acme-1', title: 'Acme One', usd_per_char: 0.00002, speakers: ['ada', 'grace'] },
    { slug: 'acme-2', title: 'Acme Two', usd_per_char: 0.00005, speakers: ['linus', 'barbara'] },
  ],
};

let fake: FakeProvider;
let box: Sandbox;
useFakeProvider((f, b) => ((fake = f), (box = b)), acmeSpeech);

const tts = (args: string[], options: { stdin?: string } = {}) =>
  runTts(args, { env: { ...box.env, ACME_TOKEN: TOKEN, ACME_BASE_URL: fake.url }, providers, ...options });

describe('a provider defined in one place', () => {
  test('speaks: its own path, headers and body; its pcm becomes a wav that ffmpeg decodes', async () => {
    requireTool('ffmpeg');
    const out = box.path('a.wav');
    const r = await tts(['Hello from Acme.', '-p', 'acme', '-o', out, '-v', 'grace']);
    expect(r.code).toBe(0);
    const [req] = fake.requests;
    expect(req?.url).toBe('/v2/speak');
    expect(req?.headers['x-acme-token']).toBe(TOKEN);
    expect(req?.body).toEqual({ text: 'Hello from Acme.', speaker: 'grace', engine: 'acme-1' });
    expect(probe(out)).toMatchObject({ sampleRate: 24_000, channels: 1 });
    expect(decode(out).equals(fakePcm('Hello from Acme.'))).toBe(true);
  });

  test('its errors are read in its own shape, with its request id; its billing code is not retried', async () => {
    fake.fallback = jsonError(400, { fault: { text: 'Speaker ada is resting', id: 'speaker_busy' } }, { 'x-acme-trace': 'trace-400' });
    const refused = await tts(['Hi.', '-p', 'acme', '-o', box.path('a.wav')]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('acme answered 400: Speaker ada is resting\n');
    expect(refused.stderr).toContain('code speaker_busy');
    expect(refused.stderr).toContain('request id trace-400');

    fake.requests.length = 0;
    fake.fallback = jsonError(429, { fault: { text: 'Wallet is empty', id: 'wallet_empty' } });
    const broke = await tts(['Hi.', '-p', 'acme', '-o', box.path('a.wav')]);
    expect(broke.code).toBe(4);
    expect(fake.requests).toHaveLength(1);
    expect(broke.stderr).toMatch(/out of credits/);

    // Another 429 is a rate limit like any other: retried, then spoken.
    fake.requests.length = 0;
    fake.fallback = acmeSpeech;
    fake.reply(jsonError(429, { fault: { text: 'Slow down', id: 'too_fast' } }));
    expect((await tts(['Hi.', '-p', 'acme', '-o', box.path('a.wav')])).code).toBe(0);
    expect(fake.requests).toHaveLength(2);
  });

  test('its config keys are known, its secret ones masked; --debug masks its secret headers; nothing prints a secret', async () => {
    expect((await tts(['config', 'set', 'acme.account', ACCOUNT])).code).toBe(0);
    expect((await tts(['config', 'set', 'acme.region', 'eu-west'])).code).toBe(0);
    const unknown = await tts(['config', 'set', 'acme.colour', 'red']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('acme.account, acme.region');
    const list = (await tts(['config', 'list'])).stdout.toString();
    expect(list).toContain('acme.region = eu-west');
    expect(list).toMatch(/acme\.account = acc…dcba/);

    fake.reply(jsonError(400, { fault: { text: `Account ${ACCOUNT} is closed`, id: 'closed' } }));
    const r = await tts(['Hi.', '-p', 'acme', '-o', box.path('a.wav'), '--debug']);
    expect(fake.requests[0]?.headers['x-acme-account']).toBe(ACCOUNT);
    expect(r.stderr).toContain('tts:   x-acme-token: acm…cdef');
    expect(r.stderr).toContain('tts:   x-acme-account: acc…dcba');
    expect(r.stderr).toContain('Account acc…dcba is closed');
    expect(`${r.stderr}${r.stdout.toString()}${list}`).not.toContain(ACCOUNT);
    expect(r.stderr).not.toContain(TOKEN);
  });

  test("voices, models and a dry run's price come from its catalog", async () => {
    fake.fallback = jsonError(200, CATALOG);
    const voices = await tts(['voices', '-p', 'acme', '-m', 'acme-2']);
    expect(voices.stdout.toString().trim().split('\n')).toEqual(['linus', 'barbara']);
    expect(fake.requests[0]?.url).toBe('/catalog');
    expect(fake.requests[0]?.headers['x-acme-token']).toBe(TOKEN);
    const models = await tts(['models', '-p', 'acme']);
    expect(models.stdout.toString()).toMatch(/^acme-1 +Acme One +\$20\.00 per million characters\nacme-2 +Acme Two +\$50\.00 per million characters\n$/);
    const dry = await tts(['-p', 'acme', '-m', 'acme-2', '-o', box.path('b.wav'), '--dry-run', '--json'], { stdin: 'Some words to price. '.repeat(10) });
    const plan = JSON.parse(dry.stdout.toString());
    expect(plan.estimatedCostUsd).toBeCloseTo(plan.characters * 0.00005, 9);
    expect(plan.costBasis).toBe('$50.00 per million characters (Acme Voice)');
  });
});

test('no code outside src/providers decides by a provider name: each knows itself', async () => {
  const { default: ts } = await import('typescript');
  const names = new Set(BUILT_IN_PROVIDERS.map((p) => p.name));
  const src = fileURLToPath(new URL('../../src/', import.meta.url));
  const named: string[] = [];
  for (const file of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts') || file.startsWith(`providers${sep}`)) continue;
    const source = ts.createSourceFile(file, readFileSync(join(src, file), 'utf8'), ts.ScriptTarget.Latest, true);
    // A literal that is exactly a provider's name ('openrouter', "local"): a branch on it, or a default.
    // Help text that mentions one in a sentence is not a decision.
    const visit = (node: import('typescript').Node): void => {
      if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && names.has(node.text)) {
        named.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1} '${node.text}'`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  expect(named).toEqual([]);
});
