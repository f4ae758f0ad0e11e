import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { hang, type FakeProvider } from '../helpers/fake-provider.js';
import { type Sandbox, useFakeProvider } from '../helpers/run-tts.js';
import { partFiles, startTts, until } from '../helpers/spawn-bin.js';

let fake: FakeProvider;
let box: Sandbox;
useFakeProvider((f, b) => ((fake = f), (box = b)));

const env = () => ({ ...box.env, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.url });
// Three chunks of about 190 kB of pcm each: more than a pipe holds.
const LONG = Array.from({ length: 150 }, (_, i) => `Sentence number ${i} of a text that is long enough to need several chunks.`).join(' ');

describe('the first signal ends the run at any stage: its exit code, no part file anywhere', () => {
  test.each([
    ['SIGTERM', 143, 'tts: interrupted by SIGTERM'],
    ['SIGHUP', 129, 'tts: interrupted by SIGHUP'],
    ['SIGINT', 130, 'tts: interrupted'],
  ] as const)('%s while waiting for the provider: exit %i, the old file untouched', async (signal, code, message) => {
    writeFileSync(box.path('keep.mp3'), 'old audio');
    fake.fallback = hang();
    const run = startTts(['A sentence that will never be spoken.', '-o', box.path('keep.mp3')], { env: env() });
    await until(() => fake.requests.length > 0);
    // The request is in flight: a part is open in the cache, a temporary file beside the output.
    expect(partFiles(box.dir).length).toBeGreaterThanOrEqual(2);
    run.child.kill(signal);
    const r = await run.done;
    expect(r.stderr.trim()).toBe(message);
    expect(r.code).toBe(code);
    expect(readFileSync(box.path('keep.mp3'), 'utf8')).toBe('old audio');
    expect(partFiles(box.dir)).toEqual([]);
  });

  test('SIGTERM while writing to a pipe nobody reads: 143 at once', async () => {
    writeFileSync(box.path('book.txt'), LONG);
    const run = startTts(['-f', box.path('book.txt'), '-o', '-', '-F', 'pcm'], { env: env(), readStdout: false });
    await until(() => fake.requests.length >= 3);
    // Every chunk is fetched; the writer waits for a reader that never drains the pipe.
    await new Promise((r) => setTimeout(r, 1000));
    const sent = Date.now();
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.code).toBe(143);
    // A busy machine takes a second or two; a tts stuck on the pipe never ends (it is killed at 15 s).
    expect(Date.now() - sent).toBeLessThan(6000);
    expect(partFiles(box.dir)).toEqual([]);
  });
});
