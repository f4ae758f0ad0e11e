import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { sniff } from '../../src/audio/sniff.js';
import { FakeProvider, jsonError } from '../helpers/fake-provider.js';
import { runTts, Sandbox, useFakeProvider } from '../helpers/run-tts.js';

let fake: FakeProvider;
let box: Sandbox;
useFakeProvider((f, b) => ((fake = f), (box = b)));

const withKey = () => ({ ...box.env, OPENAI_API_KEY: 'k', OPENAI_BASE_URL: fake.url });

describe('one parser for every flag', () => {
  test.each([[['-q', '-F', 'wav']], [['-qF', 'wav']], [['-qFwav']]])('%j is quiet, however -q is written', async (flags) => {
    const r = await runTts([...flags, '--dry-run', 'Hi.'], { env: box.env });
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatch(/^Dry run: 1 chunk, 3 characters, to stdout as wav/);
    // Without -q the built-in voice says how to get a better one; -q keeps stderr empty.
    expect(r.stderr).toBe('');
  });

  test('an unknown option is still a clear usage error', async () => {
    const r = await runTts(['--bogus', 'Hi.'], { env: box.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tts: unknown option '--bogus'\n\(run tts --help for usage\)\n$/);
    // commander quotes what it was given: escaped like every other word.
    const quoted = await runTts(['--\u001b]0;pwned\u0007', 'Hi.'], { env: box.env });
    expect(quoted.code).toBe(2);
    expect(quoted.stderr).toContain("unknown option '--\\x1b]0;pwned\\x07'");
  });

  test('--debug, which the hint for an unexpected error asks for, is taken before or after a command\'s name', async () => {
    for (const args of [['--debug', 'config', 'get', 'nosuch'], ['config', 'get', 'nosuch', '--debug']]) {
      const r = await runTts(args, { env: box.env });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^tts: nosuch is not set\nUsageError: nosuch is not set\n\s+at /);
    }
    const voices = await runTts(['voices', '-p', 'openai', '--debug'], { env: box.env });
    expect(voices.code).toBe(0);
    expect(voices.stdout.toString()).toMatch(/^alloy$/m);
  });

  test('after --, every word is text, even one that names a command', async () => {
    const out = box.path('voices.mp3');
    const r = await runTts(['-o', out, '--', 'voices'], { env: withKey() });
    expect(r.code).toBe(0);
    expect(fake.inputs()).toEqual(['voices']);
    expect(sniff(readFileSync(out))).toEqual({ kind: 'audio', container: 'mp3' });
    await runTts(['-o', box.path('b.mp3'), '--', 'config', 'list', '-q'], { env: withKey() });
    expect(fake.inputs()[1]).toBe('config list -q');
  });

  test('--base-url "" is a usage error, not OpenAI', async () => {
    for (const args of [['Hi.', '-o', box.path('a.mp3'), '--base-url', ''], ['voices', '--base-url', '']]) {
      const r = await runTts(args, { env: { ...box.env, OPENAI_API_KEY: 'k' } });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--base-url cannot be empty/);
    }
  });
});

describe('--json when something fails', () => {
  test('a provider error: a JSON object on stdout, the words on stderr', async () => {
    fake.fallback = jsonError(401, { error: { message: 'Incorrect API key provided', code: 'invalid_api_key' } }, { 'x-request-id': 'req_42' });
    const r = await runTts(['Hi.', '-o', box.path('a.mp3'), '--json'], { env: withKey() });
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout.toString())).toEqual({
      error: {
        kind: 'provider', message: 'openai answered 401: Incorrect API key provided', exitCode: 4, provider: 'openai', status: 401, code: 'invalid_api_key', requestId: 'req_42',
        hint: 'Check the API key for openai (its environment variable, or tts config set openai.apiKey).',
      },
    });
    expect(r.stderr).toMatch(/^tts: openai answered 401: Incorrect API key provided\n/);
  });

  test('when stdout carries the audio, the JSON goes to stderr and stdout stays empty', async () => {
    fake.fallback = jsonError(500, { error: { message: 'boom' } });
    const r = await runTts(['Hi.', '-o', '-', '--json', '--retries', '0'], { env: withKey() });
    expect(r.code).toBe(4);
    expect(r.stdout.length).toBe(0);
    const json = r.stderr.split('\n').find((line) => line.startsWith('{'));
    expect(JSON.parse(json!).error).toMatchObject({ kind: 'provider', status: 500, exitCode: 4 });
  });

  test.each([
    ['a bad flag value', ['Hi.', '-o', 'x.mp3', '--speed', '99', '--json'], 2, 'usage'],
    ['an unknown option', ['Hi.', '-o', 'x.mp3', '--json', '--bogus'], 2, 'usage'],
    ['no key', ['Hi.', '-p', 'openrouter', '-o', 'x.mp3', '--json'], 3, 'config'],
    ['a subcommand', ['voices', '-p', 'nope', '--json'], 2, 'usage'],
    ['a dry run', ['Hi.', '-F', 'm4b', '-p', 'local', '--dry-run', '--json'], 2, 'usage'],
  ])('%s: kind, message, hint and exit code', async (_what, args, code, kind) => {
    const r = await runTts(args, { env: box.env });
    expect(r.code).toBe(code);
    const error = JSON.parse(r.stdout.toString()).error;
    expect(error).toMatchObject({ kind, exitCode: code });
    expect(typeof error.message).toBe('string');
    expect(r.stderr).toContain(error.message);
  });
});

describe('formats: every name means the same everywhere', () => {
  test.each(['x.txt', 'notes.md', 'x.tar.gz', 'x.mp4', 'x.webm'])('-o %s is refused (exit 2), never filled with mp3', async (name) => {
    const r = await runTts(['Hi.', '-o', box.path(name)], { env: withKey() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Cannot write \.\w+ files|is not an audio format tts writes/);
    expect(r.stderr).toMatch(/hint: .*\.mp3, \.opus, \.ogg/);
    expect(fake.requests).toHaveLength(0);
    expect(existsSync(box.path(name))).toBe(false);
  });

  const formatOf = async (args: string[]): Promise<string> => {
    const r = await runTts(['Hi.', ...args, '--dry-run', '--json'], { env: withKey() });
    expect(r.stderr).toBe('');
    return (JSON.parse(r.stdout.toString()) as { format: string }).format;
  };

  test('-F names the format for a file whose extension does not; no extension keeps the default', async () => {
    expect(await formatOf(['-o', box.path('x.bin'), '-F', 'flac'])).toBe('flac');
    expect(await formatOf(['-o', box.path('plain')])).toBe('mp3');
    const out = box.path('speech.dat');
    expect((await runTts(['Hi.', '-o', out, '-F', 'wav'], { env: withKey() })).code).toBe(0);
    expect(sniff(readFileSync(out))).toEqual({ kind: 'audio', container: 'wav' });
  });

  test('-F ogg and -F OGG mean opus, as -o x.ogg does; config set format WAV means wav', async () => {
    expect(await formatOf(['-o', box.path('a'), '-F', 'ogg'])).toBe('opus');
    expect(await formatOf(['-o', box.path('b.opus'), '-F', 'OGG'])).toBe('opus');
    expect(await formatOf(['-o', box.path('b.ogg')])).toBe('opus');
    const set = await runTts(['config', 'set', 'format', 'WAV'], { env: box.env });
    expect(set.code).toBe(0);
    expect(set.stderr).toBe('Set format = wav\n');
    expect(await formatOf(['-o', box.path('c')])).toBe('wav');
  });
});
