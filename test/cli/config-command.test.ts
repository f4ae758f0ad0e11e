import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { runTts, Sandbox } from '../helpers/run-tts.js';

let box: Sandbox;
beforeEach(() => {
  box = new Sandbox();
});
afterEach(() => box.cleanup());

const tts = (args: string[], stdin?: string) => runTts(args, { env: box.env, ...(stdin === undefined ? {} : { stdin }) });
const KEY = 'sk-proj-abcdefghijklmnop1234';

describe('tts config', () => {
  test('lives at $XDG_CONFIG_HOME/tts/config.json, readable by its owner only', async () => {
    expect((await tts(['config', 'set', 'voice', 'nova'])).code).toBe(0);
    const path = join(box.env['XDG_CONFIG_HOME']!, 'tts', 'config.json');
    expect((await tts(['config', 'path'])).stdout.toString().trim()).toBe(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ voice: 'nova' });
  });

  test('set, get, list and unset', async () => {
    await tts(['config', 'set', 'model', 'tts-1-hd']);
    await tts(['config', 'set', 'speed', '1.25']);
    await tts(['config', 'set', 'kokoro.baseUrl', 'http://localhost:8880/v1']);
    expect((await tts(['config', 'get', 'speed'])).stdout.toString()).toBe('1.25\n');
    expect((await tts(['config', 'list'])).stdout.toString()).toBe('model = tts-1-hd\nspeed = 1.25\nkokoro.baseUrl = http://localhost:8880/v1\n');
    expect((await tts(['config', 'unset', 'model'])).code).toBe(0);
    const missing = await tts(['config', 'get', 'model']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/model is not set/);
  });

  test('an API key with no value is read from stdin, and is masked by get and list', async () => {
    const set = await tts(['config', 'set', 'openai.apiKey'], `${KEY}\n`);
    expect(set.code).toBe(0);
    expect(set.stderr).not.toContain(KEY);
    const got = (await tts(['config', 'get', 'openai.apiKey'])).stdout.toString().trim();
    expect(got).toBe('sk-…1234');
    expect((await tts(['config', 'list'])).stdout.toString()).toBe('openai.apiKey = sk-…1234\n');
    const path = (await tts(['config', 'path'])).stdout.toString().trim();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ openai: { apiKey: KEY } });
  });

  test.each([
    [['config', 'set', 'colour', 'blue'], /Unknown config key "colour"/],
    [['config', 'set', 'openai.colour', 'blue'], /Unknown config key "openai.colour"/],
    [['config', 'set', 'format', 'mp4'], /format must be one of/],
    [['config', 'set', 'speed', '9'], /speed must be a number from 0.25 to 4/],
    [['config', 'set', 'openai.baseUrl', 'not a url'], /must be an http\(s\) URL/],
    [['config', 'set', 'model'], /needs a value/],
    [['config', 'bogus'], /unknown command 'bogus'/],
  ])('%j is refused with exit 2', async (args, message) => {
    const r = await tts(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  test('config defaults apply to a run, and flags beat them', async () => {
    const { FakeProvider } = await import('../helpers/fake-provider.js');
    const fake = await FakeProvider.start();
    try {
      await tts(['config', 'set', 'openai.baseUrl', fake.url]);
      await tts(['config', 'set', 'openai.apiKey', 'k-from-config']);
      await tts(['config', 'set', 'voice', 'sage']);
      await tts(['config', 'set', 'format', 'wav']);
      await tts(['config', 'set', 'speed', '0.5']);
      expect((await tts(['Hi.', '-o', box.path('a')])).code).toBe(0);
      expect((await tts(['Hi.', '-o', box.path('b.mp3'), '-v', 'verse'])).code).toBe(0);
      expect(fake.requests[0]?.headers['authorization']).toBe('Bearer k-from-config');
      expect(fake.requests[0]?.body).toMatchObject({ voice: 'sage', response_format: 'wav', speed: 0.5 });
      expect(fake.requests[1]?.body).toMatchObject({ voice: 'verse', response_format: 'mp3', speed: 0.5 });
    } finally {
      await fake.close();
    }
  });
});

describe('a corrupt config file', () => {
  const writeConfig = (text: string): string => {
    const dir = join(box.env['XDG_CONFIG_HOME']!, 'tts');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), text, { mode: 0o600 });
    return dir;
  };

  test.each(['{"voice": "nova",', '[1, 2]'])('%j: list, get and a run explain it and how to fix it (exit 3)', async (text) => {
    writeConfig(text);
    for (const args of [['config', 'list'], ['config', 'get', 'voice'], ['config', 'unset', 'voice'], ['Hi.', '--dry-run']]) {
      const r = await tts(args);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/The config file .*config\.json is corrupt/);
      expect(r.stderr).toMatch(/hint: Fix it in an editor, or run tts config set <key> <value>/);
      expect(r.stderr).not.toMatch(/unexpected error|SyntaxError|at .*\.js:\d+/);
    }
    expect((await tts(['config', 'path'])).code).toBe(0);
  });

  test('config set does what the hint says: the broken file is kept aside, a new one started', async () => {
    const dir = writeConfig('{"voice": "nova",');
    const r = await tts(['config', 'set', 'voice', 'sage']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/the config file was corrupt: it is kept as .*config\.json\.corrupt-/);
    const aside = readdirSync(dir).find((f) => f.startsWith('config.json.corrupt-'))!;
    expect(readFileSync(join(dir, aside), 'utf8')).toBe('{"voice": "nova",');
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toEqual({ voice: 'sage' });
    expect((await tts(['config', 'list'])).stdout.toString()).toBe('voice = sage\n');
  });
});

test('a relative XDG_CONFIG_HOME or XDG_CACHE_HOME is ignored, as the XDG spec says', async () => {
  const env = { ...box.env, XDG_CONFIG_HOME: 'relative-config', XDG_CACHE_HOME: 'relative-cache' };
  expect((await runTts(['config', 'path'], { env })).stdout.toString()).toBe(`${join(box.dir, '.config', 'tts', 'config.json')}\n`);
  expect((await runTts(['cache', 'info'], { env })).stdout.toString()).toMatch(new RegExp(`^${join(box.dir, '.cache', 'tts')}\n`));
});

test('a key in a config file others can read is used, with a one-line warning', async () => {
  const { FakeProvider } = await import('../helpers/fake-provider.js');
  const fake = await FakeProvider.start();
  try {
    await tts(['config', 'set', 'openai.apiKey', KEY]);
    const path = join(box.env['XDG_CONFIG_HOME']!, 'tts', 'config.json');
    const run = () => tts(['Hi.', '-o', box.path('a.mp3'), '--base-url', fake.url, '-q']);
    expect((await run()).stderr).toBe('');
    chmodSync(path, 0o644);
    const r = await run();
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`tts: warning: the config file ${path} holds an API key, and others can read it: chmod 600 ${path}\n`);
    // A key from the environment is not the file's business.
    expect((await runTts(['Hi.', '-o', box.path('b.mp3'), '--base-url', fake.url, '-q'], { env: { ...box.env, OPENAI_API_KEY: 'k' } })).stderr).toBe('');
  } finally {
    await fake.close();
  }
});

test('at a terminal, an API key is asked for without echoing it', async () => {
  const { spawn } = await import('node:child_process');
  const { BIN } = await import('../helpers/run-tts.js');
  const key = 'sk-typed-at-a-terminal-0123456789';
  // `script` gives the command a real pseudo-terminal, as a person at a shell would have.
  const child = spawn('script', ['-qec', `${process.execPath} ${BIN} config set openai.apiKey`, '/dev/null'], { env: { ...box.env, TERM: 'dumb' } });
  let seen = '';
  let typed = false;
  child.stdout.on('data', (d: Buffer) => {
    seen += d.toString();
    // Typed the moment the prompt shows, as a paste would be.
    if (!typed && seen.includes('openai.apiKey: ')) {
      typed = true;
      child.stdin.write(`${key}\r`);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code).toBe(0);
  expect(seen).not.toContain(key);
  expect(seen).toContain('Set openai.apiKey = sk-…6789');
  const path = join(box.env['XDG_CONFIG_HOME']!, 'tts', 'config.json');
  expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ openai: { apiKey: key } });
});
