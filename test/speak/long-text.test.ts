import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { codePointLength } from '../../src/text/chunk-text.js';
import { FakeProvider, fakePcm, hang, jsonError, sameBytes, speechReply, type Reply } from '../helpers/fake-provider.js';
import { runTts, Sandbox, useFakeProvider } from '../helpers/run-tts.js';

let fake: FakeProvider;
let box: Sandbox;
useFakeProvider((f, b) => ((fake = f), (box = b)), speechReply());

/** About 20,600 characters in 35 paragraphs: six chunks under OpenAI's limit. */
const BOOK = Array.from({ length: 35 }, (_, p) =>
  Array.from({ length: 10 }, (_, s) => `Paragraph ${p + 1}, sentence ${s + 1} tells a little more of the story.`).join(' '),
).join('\n\n');

/** A sentence in the middle of the book: whichever chunk holds it is the one a test makes fail. */
const TARGET = 'Paragraph 19, sentence 5 ';
const squash = (s: string) => s.replace(/\s+/g, '');
const env = () => ({ ...box.env, OPENAI_API_KEY: 'k' });
const speak = (args: string[], options: { signal?: AbortSignal } = {}) =>
  runTts(['-f', '-', '--base-url', fake.url, ...args], { env: env(), stdin: BOOK, ...options });

/** Chunk inputs in book order (requests may arrive in any order). */
const inBookOrder = (inputs: string[]) => [...inputs].sort((a, b) => BOOK.indexOf(a) - BOOK.indexOf(b));

describe('long text', () => {
  test('is split under the limit into whole sentences, nothing lost or repeated, and joined in order', async () => {
    // The first chunk is the slowest to answer: order must come from the text, not from arrival.
    fake.fallback = async (req, res) => {
      const first = String(req.body['input']).startsWith('Paragraph 1,');
      if (first) await new Promise((r) => setTimeout(r, 150));
      await speechReply()(req, res);
    };
    const out = box.path('book.pcm');
    const r = await speak(['-o', out]);
    expect(r.code).toBe(0);
    const inputs = inBookOrder(fake.inputs());
    expect(inputs.length).toBeGreaterThanOrEqual(6);
    for (const input of inputs) {
      expect(codePointLength(input)).toBeLessThanOrEqual(4000);
      expect(input).toMatch(/^Paragraph \d+, sentence 1 /);
      expect(input).toMatch(/story\.$/);
    }
    expect(squash(inputs.join(''))).toBe(squash(BOOK));
    expect(sameBytes(readFileSync(out), Buffer.concat(inputs.map((i) => fakePcm(i))))).toBe('same');
  });

  test('requests run in parallel, at most --concurrency at once', async () => {
    let open = 0;
    let most = 0;
    fake.fallback = async (req, res) => {
      most = Math.max(most, ++open);
      await new Promise((r) => setTimeout(r, 40));
      open--;
      await speechReply()(req, res);
    };
    expect((await speak(['-o', box.path('a.pcm'), '-c', '3'])).code).toBe(0);
    expect(most).toBe(3);
    most = 0;
    expect((await speak(['-o', box.path('b.pcm'), '-c', '1', '--no-cache'])).code).toBe(0);
    expect(most).toBe(1);
  });

  test('wav: one header with the exact size of every chunk together', async () => {
    const out = box.path('book.wav');
    expect((await speak(['-o', out])).code).toBe(0);
    const wav = readFileSync(out);
    const pcm = Buffer.concat(inBookOrder(fake.inputs()).map((i) => fakePcm(i)));
    expect(wav.readUInt32LE(40)).toBe(pcm.length);
    expect(sameBytes(wav.subarray(44), pcm)).toBe('same');
  });

  test('a chunk that fails once is retried alone, and the file is still whole', async () => {
    let failed = false;
    fake.fallback = async (req, res) => {
      if (!failed && String(req.body['input']).includes(TARGET)) {
        failed = true;
        return jsonError(503, { error: { message: 'overloaded' } })(req, res);
      }
      return speechReply()(req, res);
    };
    const out = box.path('book.pcm');
    expect((await speak(['-o', out])).code).toBe(0);
    const unique = [...new Set(fake.inputs())];
    expect(fake.requests.length).toBe(unique.length + 1);
    expect(sameBytes(readFileSync(out), Buffer.concat(inBookOrder(unique).map((i) => fakePcm(i))))).toBe('same');
  });

  test('a chunk that keeps failing: exit 4 naming it, no file; a rerun pays only for what is missing', async () => {
    const bad: Reply = jsonError(400, { error: { message: 'Invalid input', code: 'invalid_value' } });
    fake.fallback = async (req, res) => (String(req.body['input']).includes(TARGET) ? bad(req, res) : speechReply()(req, res));
    const out = box.path('book.pcm');
    const first = await speak(['-o', out]);
    expect(first.code).toBe(4);
    expect(first.stderr).toMatch(/Chunk \d of \d+: openai answered 400: Invalid input/);
    expect(first.stderr).toMatch(/rerun the same command to resume/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(box.dir).filter((f) => f.endsWith('.part'))).toEqual([]);

    const paidFor = new Set(fake.requests.filter((r) => !String(r.body['input']).includes(TARGET)).map((r) => String(r.body['input'])));
    expect(paidFor.size).toBeGreaterThan(0);
    fake.requests.length = 0;
    fake.fallback = speechReply();
    const rerun = await speak(['-o', out]);
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toMatch(/from cache/);
    for (const input of fake.inputs()) expect(paidFor.has(input)).toBe(false);
    const all = inBookOrder([...paidFor, ...fake.inputs()]);
    expect(sameBytes(readFileSync(out), Buffer.concat(all.map((i) => fakePcm(i))))).toBe('same');
  });

  test('Ctrl-C mid-run: exit 130, no output, finished chunks kept for the rerun', async () => {
    const ac = new AbortController();
    fake.fallback = async (req, res) => {
      if (String(req.body['input']).startsWith('Paragraph 1,')) return speechReply()(req, res);
      setTimeout(() => ac.abort(), 50);
      return hang()(req, res);
    };
    const out = box.path('book.pcm');
    const r = await speak(['-o', out, '-c', '1'], { signal: ac.signal });
    expect(r.code).toBe(130);
    expect(existsSync(out)).toBe(false);
    fake.requests.length = 0;
    fake.fallback = speechReply();
    expect((await speak(['-o', out])).code).toBe(0);
    expect(fake.inputs().some((i) => i.startsWith('Paragraph 1,'))).toBe(false);
  });

  test('--no-cache neither keeps nor reuses chunks; tts cache clear empties the cache', async () => {
    expect((await speak(['-o', box.path('a.pcm'), '--no-cache'])).code).toBe(0);
    const n = fake.requests.length;
    expect((await speak(['-o', box.path('b.pcm'), '--no-cache'])).code).toBe(0);
    expect(fake.requests.length).toBe(2 * n);
    expect((await speak(['-o', box.path('c.pcm')])).code).toBe(0);
    expect(fake.requests.length).toBe(3 * n);
    expect((await speak(['-o', box.path('d.pcm')])).code).toBe(0);
    expect(fake.requests.length).toBe(3 * n);
    const cleared = await runTts(['cache', 'clear'], { env: env() });
    expect(cleared.stderr).toMatch(new RegExp(`Removed ${n} cached chunks`));
    expect((await speak(['-o', box.path('e.pcm')])).code).toBe(0);
    expect(fake.requests.length).toBe(4 * n);
  });

  test('when the audio is piped, the first chunk is a sentence or two, so sound starts after one short request', async () => {
    const r = await speak(['-o', '-', '-F', 'pcm']);
    expect(r.code).toBe(0);
    const first = inBookOrder(fake.inputs())[0]!;
    expect(codePointLength(first)).toBeLessThanOrEqual(200);
    expect(sameBytes(r.stdout, Buffer.concat(inBookOrder(fake.inputs()).map((i) => fakePcm(i))))).toBe('same');
  });
});

test('a connection that breaks mid-chunk while it is being piped resumes where it broke: nothing repeated, nothing lost', async () => {
  const text = 'This one chunk is streaming to a pipe when its connection drops halfway through.';
  let broke = false;
  fake.fallback = async (req, res) => {
    if (broke) return speechReply()(req, res);
    broke = true;
    const audio = fakePcm(text);
    res.writeHead(200, { 'content-type': 'audio/pcm', 'content-length': String(audio.length) });
    res.write(audio.subarray(0, 1000));
    // Long enough for the first half to reach the pipe before the connection goes.
    await new Promise((r) => setTimeout(r, 150));
    res.destroy();
  };
  const r = await runTts([text, '-o', '-', '-F', 'pcm', '--base-url', fake.url], { env: { ...box.env, OPENAI_API_KEY: 'k' } });
  expect(r.code).toBe(0);
  expect(fake.requests).toHaveLength(2);
  expect(sameBytes(r.stdout, fakePcm(text))).toBe('same');
});
