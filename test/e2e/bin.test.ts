import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { sniff } from '../../src/audio/sniff.js';
import { FakeProvider, hang, jsonError } from '../helpers/fake-provider.js';
import { Sandbox, spawnTts, useFakeProvider } from '../helpers/run-tts.js';

let fake: FakeProvider;
let box: Sandbox;
useFakeProvider((f, b) => ((fake = f), (box = b)));

const env = () => ({ ...box.env, OPENAI_API_KEY: 'sk-e2e-secret-key-0000', OPENAI_BASE_URL: fake.url });

describe('the real bin', () => {
  test('speaks text into a file, and says so on stderr only', async () => {
    const out = box.path('hello.wav');
    const r = await spawnTts(['Hello from the real bin.', '-o', out], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr.startsWith(`${out}: 0:00 of wav, 1 kB`)).toBe(true);
    expect(r.stderr).toMatch(/ · 1 chunk, 24 characters · 1 request · ~\$0\.\d{4}\n$/);
    const wav = readFileSync(out);
    expect(wav.toString('latin1', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(40)).toBe(wav.length - 44);
  });

  test('-o - streams the audio, and only the audio, to stdout', async () => {
    const r = await spawnTts(['-o', '-', '-F', 'pcm'], { env: env(), stdin: 'Piped in and out.' });
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe('Piped in and out.'.length * 24 * 2);
    // Words go to stderr: here only the summary.
    expect(r.stderr).toMatch(/^stdout: 0:00 of pcm, 1 kB · 1 chunk, 17 characters · 1 request · ~\$0\.\d{4}\n$/);
  });

  test('with no -o and stdout a pipe, audio goes to stdout', async () => {
    const r = await spawnTts(['Hi there.'], { env: env() });
    expect(r.code).toBe(0);
    expect(sniff(r.stdout)).toEqual({ kind: 'audio', container: 'mp3' });
  });

  test('exit codes: 2 usage, 3 no key, 4 provider', async () => {
    expect((await spawnTts(['--speed', '99', 'x'], { env: env() })).code).toBe(2);
    const noKey = await spawnTts(['Hi.', '-p', 'openai', '-o', box.path('a.mp3')], { env: box.env });
    expect(noKey.code).toBe(3);
    expect(noKey.stderr).toMatch(/OPENAI_API_KEY.*tts config set openai.apiKey/s);
    fake.fallback = jsonError(401, { error: { message: 'Incorrect API key provided', code: 'invalid_api_key' } });
    const denied = await spawnTts(['Hi.', '-o', box.path('a.mp3')], { env: env() });
    expect(denied.code).toBe(4);
    expect(denied.stderr).not.toContain('sk-e2e-secret-key-0000');
    expect(denied.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  test('--version and --help', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect((await spawnTts(['--version'], { env: env() })).stdout.toString().trim()).toBe(pkg.version);
    const help = await spawnTts(['--help'], { env: env() });
    expect(help.code).toBe(0);
    expect(help.stdout.toString()).toMatch(/Examples:/);
  });

  test('Ctrl-C aborts the request at once: exit 130, the old file untouched, no temporary file', async () => {
    const out = box.path('keep.mp3');
    writeFileSync(out, 'old audio');
    fake.fallback = hang();
    let pid = 0;
    const run = spawnTts(['A sentence that will never be spoken.', '-o', out], { env: env(), onSpawn: (p) => (pid = p) });
    while (fake.requests.length === 0) await new Promise((r) => setTimeout(r, 20));
    const sent = Date.now();
    process.kill(pid, 'SIGINT');
    const r = await run;
    expect(r.code).toBe(130);
    expect(Date.now() - sent).toBeLessThan(2000);
    expect(r.stderr).toMatch(/interrupted/);
    expect(readFileSync(out, 'utf8')).toBe('old audio');
    expect(readdirSync(box.dir).filter((f) => f.endsWith('.part'))).toEqual([]);
    expect(existsSync(box.path('keep.mp3'))).toBe(true);
  });
});
