import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import { openai } from '../../src/providers/openai.js';
import type { ProviderSpec } from '../../src/providers/provider-spec.js';
import { decode, requireTool } from '../helpers/audio-tools.js';
import { fakePcm, jsonError, sameBytes, speechReply, type FakeProvider, type Reply } from '../helpers/fake-provider.js';
import { runTts, type Sandbox, spawnTts, useFakeProvider } from '../helpers/run-tts.js';

/*
 * Many files in one run (issue 12): `-f` with several paths, `-o folder/` for a file each, `-o file`
 * to join them with a chapter each; one scheduler and one rate budget for all; a bad input named while
 * the others are still written.
 */

let fake: FakeProvider;
let box: Sandbox;
useFakeProvider((f, b) => ((fake = f), (box = b)));

beforeAll(() => {
  for (const tool of ['ffmpeg', 'ffprobe']) requireTool(tool);
});

const env = () => ({ ...box.env, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.url });

/** Some distinct sentences about `name`: about `sentences` × 60 characters. */
const prose = (name: string, sentences = 3): string =>
  Array.from({ length: sentences }, (_, i) => `This is sentence ${i + 1} of the file called ${name}, and it goes on a while.`).join(' ');

/** Writes `files` (name → text or bytes) into in/ and returns their paths, in order. */
function inputs(files: Record<string, string | Buffer>): string[] {
  mkdirSync(box.path('in'), { recursive: true });
  return Object.entries(files).map(([name, body]) => {
    const path = box.path(`in/${name}`);
    writeFileSync(path, body);
    return path;
  });
}

/** The provider's audio for every request whose text mentions `name`, in the order they were planned. */
function servedPcm(name: string): Buffer {
  const texts = [...new Set(fake.inputs().filter((text) => text.includes(`called ${name},`)))].sort((a, b) => sentenceNumber(a) - sentenceNumber(b));
  return Buffer.concat(texts.map((text) => fakePcm(text)));
}
const sentenceNumber = (text: string): number => Number(/sentence (\d+)/.exec(text)?.[1]);

/** The output decodes cleanly (ffmpeg) to exactly the provider's audio for that input. */
function expectDecodesTo(path: string, name: string): void {
  expect(sameBytes(decode(path), servedPcm(name)), path).toBe('same');
}

/** Fails for good every request that mentions `name`; everything else is spoken. */
const failingFor = (name: string, failure: Reply): Reply => (req, res) => (String(req.body['input']).includes(`called ${name},`) ? failure(req, res) : speechReply()(req, res));

interface BatchJson {
  files: { input: string; output: string | null; ok: boolean; chunks?: number; error?: { kind: string; message: string; hint: string | null; exitCode: number; status?: number } }[];
}

describe('-f with several files, -o a folder', () => {
  test('one output per input, named after it, each whole; one summary line per file', async () => {
    const files = inputs({ 'one.txt': prose('one'), 'two.md': `# Two\n\n${prose('two')}`, 'three.txt': prose('three', 90) });
    const r = await runTts(['-f', ...files, '-o', `${box.path('out')}/`, '-F', 'wav'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(box.path('out')).sort()).toEqual(['one.wav', 'three.wav', 'two.wav']);
    for (const name of ['one', 'two', 'three']) expectDecodesTo(box.path(`out/${name}.wav`), name);
    // three.txt is long enough for two requests.
    expect(fake.inputs().filter((t) => t.includes('called three,'))).toHaveLength(2);
    expect(r.stderr).toMatch(/out\/one\.wav: 0:0\d\n.*out\/two\.wav: 0:0\d\n.*out\/three\.wav: \d:\d\d\n3 files of 3, \d:\d\d of wav/s);
  });

  test('--rpm is one budget for the whole run: every request after the first waits its turn, whichever file it is for', async () => {
    const files = inputs({ 'a.txt': prose('a'), 'b.txt': prose('b'), 'c.txt': prose('c') });
    const waits: number[] = [];
    const r = await runTts(['-f', ...files, '-o', `${box.path('out')}/`, '-F', 'wav', '-c', '4', '--rpm', '60'], { env: env(), sleep: async (ms) => void waits.push(ms) });
    expect(r.code, r.stderr).toBe(0);
    expect(fake.requests).toHaveLength(3);
    // A scheduler per file would send each file's first request at once: no waits at all.
    expect(waits).toEqual([1000, 1000]);
  });

  test('the file being written goes first: the next file\'s requests wait behind all of its own', async () => {
    // Long enough that cutting the first file takes many turns of the event loop.
    const files = inputs({ 'one.txt': prose('one', 3000), 'two.txt': prose('two', 90), 'three.txt': prose('three', 90) });
    const r = await runTts(['-f', ...files, '-o', `${box.path('out')}/`, '-F', 'wav', '-c', '1'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const order = fake.inputs().map((text) => /called (\w+),/.exec(text)?.[1]);
    expect(order).toEqual([...order].sort((a, b) => ['one', 'two', 'three'].indexOf(a!) - ['one', 'two', 'three'].indexOf(b!)));
  });
});

describe('a batch with bad inputs', () => {
  test('the bad ones are named, the others written; the exit code is that of the first failure in the order given', async () => {
    fake.fallback = failingFor('three', jsonError(503, { error: { message: 'The model is overloaded' } }));
    const files = inputs({
      'one.txt': prose('one'),
      'two.txt': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0xff, 0xfe]),
      'missing.txt': '',
      'three.txt': prose('three', 90),
      'four.txt': prose('four'),
    });
    execFileSync('rm', [files[2]!]);
    const r = await runTts(['-f', ...files, '-o', `${box.path('out')}/`, '-F', 'wav', '--retries', '1', '-c', '1'], { env: env() });
    // two.txt, the first input that failed, cannot be read: a usage error.
    expect(r.code).toBe(2);
    expect(readdirSync(box.path('out')).sort()).toEqual(['four.wav', 'one.wav']);
    expectDecodesTo(box.path('out/one.wav'), 'one');
    expectDecodesTo(box.path('out/four.wav'), 'four');
    // three.txt's first request was tried again (--retries 1) before it was given up.
    expect(fake.inputs().filter((t) => t.startsWith('This is sentence 1 of the file called three,'))).toHaveLength(2);
    const lines = r.stderr.split('\n');
    // The retries said so as they happened; then the summary.
    expect(lines.filter((line) => / retry 1 of 1 in /.test(line)).length).toBeGreaterThanOrEqual(1);
    const summary = lines.filter((line) => /^\S/.test(line) && !/ retry 1 of 1 in /.test(line));
    expect(summary).toEqual([
      expect.stringMatching(/out\/one\.wav: 0:0\d$/),
      expect.stringMatching(/in\/two\.txt: failed: .*in\/two\.txt looks like a binary file, not text$/),
      expect.stringMatching(/in\/missing\.txt: failed: Cannot read .*in\/missing\.txt: no such file$/),
      expect.stringMatching(/in\/three\.txt: failed: Chunk 1 of 2: openai answered 503: The model is overloaded$/),
      expect.stringMatching(/out\/four\.wav: 0:0\d$/),
      '2 files of 5, 0:00 of wav',
      expect.stringMatching(/^tts: 3 of 5 files failed: .*in\/two\.txt, .*in\/missing\.txt, .*in\/three\.txt$/),
    ]);
    expect(r.stderr).toMatch(/hint: Rerun the same command once the cause is fixed/);
  });

  test('--json lists each file\'s outcome in the order given, with each failure\'s kind, words and exit code', async () => {
    fake.fallback = failingFor('three', jsonError(400, { error: { message: 'Input contains a forbidden word' } }));
    const files = inputs({ 'one.txt': prose('one'), 'two.txt': Buffer.from([0, 1, 2, 0xff]), 'three.txt': prose('three') });
    const r = await runTts(['-f', ...files, '-o', `${box.path('out')}/`, '-F', 'wav', '--json'], { env: env() });
    expect(r.code).toBe(2);
    const json = JSON.parse(r.stdout.toString()) as BatchJson;
    expect(json.files).toEqual([
      expect.objectContaining({ input: files[0], output: box.path('out/one.wav'), ok: true, chunks: 1 }),
      { input: files[1], output: null, ok: false, error: expect.objectContaining({ kind: 'usage', exitCode: 2, message: expect.stringMatching(/looks like a binary file/), hint: 'Pass a UTF-8 text file.' }) },
      { input: files[2], output: box.path('out/three.wav'), ok: false, error: expect.objectContaining({ kind: 'provider', exitCode: 4, status: 400, message: 'openai answered 400: Input contains a forbidden word' }) },
    ]);
    // The summary for scripts is the one JSON document on stdout: no error object follows it.
    expect(r.stdout.toString().trim().split('\n')).toHaveLength(1);
  });

  test('through the real bin: the process exits with that code, and --json is the one thing on stdout', async () => {
    fake.fallback = failingFor('two', jsonError(400, { error: { message: 'Input contains a forbidden word' } }));
    const files = inputs({ 'one.txt': prose('one'), 'two.txt': prose('two'), 'three.txt': Buffer.from([0, 1, 2, 0xff]) });
    const r = await spawnTts(['-f', ...files, '-o', `${box.path('out')}/`, '-F', 'wav', '--json'], { env: env() });
    expect(r.code).toBe(4);
    const json = JSON.parse(r.stdout.toString()) as BatchJson;
    expect(json.files.map((f) => [f.ok, f.error?.exitCode])).toEqual([[true, undefined], [false, 4], [false, 2]]);
    expect(r.stderr).toMatch(/^tts: 2 of 3 files failed: .*in\/two\.txt, .*in\/three\.txt$/m);
    expectDecodesTo(box.path('out/one.wav'), 'one');
  });

  test('when every input is readable, a provider failure gives exit 4', async () => {
    fake.fallback = failingFor('two', jsonError(400, { error: { message: 'Input contains a forbidden word' } }));
    const files = inputs({ 'one.txt': prose('one'), 'two.txt': prose('two'), 'three.txt': prose('three') });
    const r = await runTts(['-f', ...files, '-o', `${box.path('out')}/`, '-F', 'wav'], { env: env() });
    expect(r.code).toBe(4);
    expect(readdirSync(box.path('out')).sort()).toEqual(['one.wav', 'three.wav']);
    expect(r.stderr).toMatch(/tts: 1 of 3 files failed: .*in\/two\.txt$/m);
  });

  test('a file that meets a bug (not a provider\'s or the input\'s fault) gives exit 1, as any unexpected error does', async () => {
    // An adapter that throws a plain TypeError for one file's text: what a bug in tts looks like.
    const buggy: ProviderSpec = {
      ...openai,
      prepare: (connection, settings) => {
        const prepared = openai.prepare(connection, settings);
        if (prepared.kind !== 'http') return prepared;
        const request = (text: string) => {
          if (text.includes('called two,')) throw new TypeError("Cannot read properties of undefined (reading 'voice')");
          return prepared.request(text);
        };
        return { ...prepared, request };
      },
    };
    const files = inputs({ 'one.txt': prose('one'), 'two.txt': prose('two') });
    const r = await runTts(['-f', ...files, '-o', `${box.path('out')}/`, '-F', 'wav'], { env: env(), providers: [buggy] });
    expect(r.code).toBe(1);
    expect(readdirSync(box.path('out'))).toEqual(['one.wav']);
    expect(r.stderr).toMatch(/tts: 1 of 2 files failed: .*in\/two\.txt$/m);
  });

  test('a spent quota stops the whole batch: one request in all, exit 4, the provider\'s words and hint once', async () => {
    fake.fallback = jsonError(429, { error: { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', code: 'insufficient_quota' } });
    const files = inputs({ 'one.txt': prose('one'), 'two.txt': prose('two'), 'three.txt': prose('three'), 'four.txt': prose('four') });
    const r = await runTts(['-f', ...files, '-o', `${box.path('out')}/`, '-F', 'wav', '-c', '1'], { env: env() });
    expect(r.code).toBe(4);
    expect(fake.requests).toHaveLength(1);
    expect(r.stderr.match(/You exceeded your current quota/g)).toHaveLength(4);
    expect(r.stderr.match(/hint: The account is out of credits or quota/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/in\/four\.txt: failed: Not sent: the run stopped at an earlier failure \(openai answered 429: You exceeded your current quota/);
    expect(readdirSync(box.path('out'))).toEqual([]);
  });

  test('long files whose first request is refused while the rest is still being cut: one request, nothing left in the folder', async () => {
    fake.fallback = jsonError(429, { error: { message: 'You exceeded your current quota.', type: 'insufficient_quota', code: 'insufficient_quota' } });
    // About 600,000 characters each: request 0 goes out, and is refused, long before the rest is cut.
    const files = inputs({ 'one.txt': prose('one', 10_000), 'two.txt': prose('two', 10_000) });
    const r = await runTts(['-f', ...files, '-o', `${box.path('out')}/`, '-F', 'wav', '-c', '1'], { env: env() });
    expect(r.code).toBe(4);
    expect(fake.requests).toHaveLength(1);
    // The count of chunks is not known yet when the first fails: it is not guessed at.
    expect(r.stderr).toMatch(/in\/one\.txt: failed: Chunk 1: openai answered 429: You exceeded your current quota/);
    expect(readdirSync(box.path('out'))).toEqual([]);
  });

  test('a run that stalls (nothing succeeds for 10 minutes) gives up once, for every file, with a message', async () => {
    fake.fallback = jsonError(429, { error: { message: 'Rate limit reached for requests' } }, { 'retry-after': '20' });
    const files = inputs({ 'one.txt': prose('one'), 'two.txt': prose('two'), 'three.txt': prose('three') });
    const waits: number[] = [];
    const r = await runTts(['-f', ...files, '-o', `${box.path('out')}/`, '-F', 'wav', '-c', '1'], { env: env(), sleep: async (ms) => void waits.push(ms) });
    expect(r.code).toBe(4);
    // Every 20 s of the run's clock for ten minutes: 30 waits, 31 refused requests, then nothing more.
    expect(waits.reduce((a, b) => a + b, 0)).toBe(600_000);
    expect(fake.requests).toHaveLength(31);
    expect(r.stderr.match(/nothing has succeeded for 10 min, so tts gives up/g)).toHaveLength(3);
    expect(r.stderr.match(/hint: The provider keeps refusing/g)).toHaveLength(1);
  });

  test('Ctrl-C in a batch ends it as a signal does (143 for SIGTERM), whatever a file failed with before', async () => {
    const stop = new AbortController();
    fake.fallback = (req, res) => {
      const input = String(req.body['input']);
      if (input.includes('called one,')) return jsonError(400, { error: { message: 'Bad input' } })(req, res);
      if (input.includes('called two,')) stop.abort(new InterruptedError('Interrupted', 'SIGTERM'));
      return speechReply({ delayMs: 200 })(req, res);
    };
    const files = inputs({ 'one.txt': prose('one'), 'two.txt': prose('two'), 'three.txt': prose('three') });
    const r = await runTts(['-f', ...files, '-o', `${box.path('out')}/`, '-F', 'wav', '-c', '1'], { env: env(), signal: stop.signal });
    expect(r.code).toBe(143);
    expect(r.stderr).toMatch(/tts: interrupted by SIGTERM/);
    expect(existsSync(box.path('out/two.wav'))).toBe(false);
  });
});

describe('-f with several files, -o one file', () => {
  test('the inputs are joined in order, with a chapter for each', async () => {
    const files = inputs({ 'one.txt': prose('one'), 'two.txt': prose('two'), 'three.txt': prose('three') });
    const r = await runTts(['-f', ...files, '-o', box.path('book.mp3')], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const chapters = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_chapters', '-of', 'json', box.path('book.mp3')], { encoding: 'utf8' })) as { chapters: { tags: { title: string }; start_time: string }[] };
    expect(chapters.chapters.map((c) => c.tags.title)).toEqual(['one', 'two', 'three']);
    expect(chapters.chapters[0]!.start_time).toBe('0.000000');
    // Each chapter starts where the audio of the inputs before it ends: 576 samples (24 ms) per frame of the fake's mp3.
    const seconds = ['one', 'two'].map((name) => Math.ceil([...fake.inputs().find((t) => t.includes(`called ${name},`))!].length / 4) * 0.024);
    expect(chapters.chapters.map((c) => Number(c.start_time))).toEqual([0, seconds[0]!, seconds[0]! + seconds[1]!].map((s) => expect.closeTo(s, 3)));
  });

  test('an input that cannot be read is refused before any request: nothing is written (exit 2)', async () => {
    const files = inputs({ 'one.txt': prose('one'), 'two.txt': Buffer.from([0, 1, 2, 0xff]), 'three.txt': prose('three') });
    const r = await runTts(['-f', ...files, '-o', box.path('book.mp3')], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/in\/two\.txt looks like a binary file/);
    expect(fake.requests).toHaveLength(0);
    expect(existsSync(box.path('book.mp3'))).toBe(false);
  });
});

describe('progress across the whole run, on a terminal', () => {
  test('files done of all, chunks and characters of all, time left, and the file being written', async () => {
    fake.fallback = speechReply({ delayMs: 250 });
    const files = inputs({ 'one.txt': prose('one'), 'two.txt': prose('two'), 'three.txt': prose('three') });
    const total = files.reduce((n, _, i) => n + prose(['one', 'two', 'three'][i]!).length, 0);
    const r = await runTts(['-f', ...files, '-o', `${box.path('out')}/`, '-F', 'wav', '-c', '1'], { env: { ...env(), CI: undefined }, stderrIsTTY: true });
    expect(r.code, r.stderr).toBe(0);
    // What the spinner drew, frame by frame (each frame is its glyph, a space and the line), up to the summary.
    const drawn = r.stderr.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
    const frames = drawn.slice(0, drawn.lastIndexOf(`${box.path('out/one.wav')}: `)).split(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] /);
    const count = total.toLocaleString('en');
    // The clock and the time left depend on the machine's speed; their form does not.
    const time = '\\d+:\\d\\d';
    const shown = (line: string): boolean => frames.some((frame) => new RegExp(`^Speaking: ${line}$`).test(frame));
    expect(shown(`0/3 files · 0/3 chunks · 0/${count} characters · ${time} · ${box.path('in/one.txt')}`), frames.join('\n')).toBe(true);
    expect(shown(`1/3 files · 1/3 chunks · [\\d,]+/${count} characters · ${time} · ~${time} left · ${box.path('in/two.txt')}`), frames.join('\n')).toBe(true);
    expect(shown(`2/3 files · 2/3 chunks · [\\d,]+/${count} characters · ${time} · ~${time} left · ${box.path('in/three.txt')}`), frames.join('\n')).toBe(true);
    // The file named is always the one being written, never the next one queued behind it.
    const named = frames.map((frame) => files.indexOf(/· (\S+\.txt)$/.exec(frame)?.[1] ?? '')).filter((at) => at >= 0);
    expect(named).toEqual([...named].sort((a, b) => a - b));
  });
});
