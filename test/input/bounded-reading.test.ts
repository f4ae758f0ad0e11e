import { spawn, spawnSync } from 'node:child_process';
import { truncateSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { TextCollector } from '../../src/text/text-collector.js';
import type { FakeProvider } from '../helpers/fake-provider.js';
import { type Sandbox, useFakeProvider } from '../helpers/run-tts.js';
import { catches, startTts, until } from '../helpers/spawn-bin.js';

let fake: FakeProvider;
let box: Sandbox;
useFakeProvider((f, b) => ((fake = f), (box = b)));

const env = () => ({ ...box.env, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.url });
const bytes = (text: string | number[]): Uint8Array => (typeof text === 'string' ? Buffer.from(text) : Uint8Array.from(text));

describe('TextCollector: text decoded as it arrives, refused at the first chunk that shows it is not', () => {
  test.each([
    ['a BOM dropped, CRLF and lone CR made LF', [[0xef, 0xbb, 0xbf, 0x41], 'b\r\nc\rd'], 'Ab\nc\nd'],
    ['a CRLF split between two chunks', ['one\r', '\ntwo'], 'one\ntwo'],
    ['a character split between chunks (é, ✓, an emoji)', [[0x63, 0x61, 0x66, 0xc3], [0xa9, 0x20, 0xe2, 0x9c], [0x93, 0x20, 0xf0, 0x9f, 0x99], [0x82]], 'café ✓ 🙂'],
  ])('%s', (_name, chunks, text) => {
    const collector = new TextCollector('in.txt');
    for (const chunk of chunks) collector.push(bytes(chunk));
    expect(collector.finish()).toBe(text);
  });

  test.each([
    ['a NUL in the third chunk', ['fine ', 'still fine ', 'then\0binary'], 2, /in\.txt looks like a binary file/],
    ['invalid UTF-8 in the second chunk', ['caf', [0xe9, 0x2e]], 1, /in\.txt is not valid UTF-8 text/],
    ['past the cap (here 20 bytes)', ['1234567890', '1234567890', '1'], 2, /in\.txt holds more than 20 bytes of text/],
  ])('%s: refused at that chunk, not at the end', (_name, chunks, failsAt, message) => {
    const collector = new TextCollector('in.txt', 20);
    chunks.forEach((chunk, index) => {
      if (index < failsAt) collector.push(bytes(chunk));
      else expect(() => collector.push(bytes(chunk))).toThrow(message);
    });
  });

  test('a character cut off by the end of the input is not text', () => {
    const collector = new TextCollector('stdin');
    collector.push(bytes([0x61, 0xe2, 0x9c]));
    expect(() => collector.finish()).toThrow(UsageError);
  });
});

describe('endless or binary input: refused early, memory bounded, no request', () => {
  test.each([['/dev/zero'], ['/dev/urandom']])('-f %s: exit 2 at once', async (device) => {
    const r = await startTts(['-f', device, '-o', box.path('out.mp3')], { env: env(), killAfterMs: 10_000 }).done;
    expect(r.stderr).toMatch(new RegExp(`${device} (looks like a binary file|is not valid UTF-8)`));
    expect(r.code).toBe(2);
    expect(r.peakRssMib).toBeLessThan(150);
    expect(fake.requests).toHaveLength(0);
  });

  test('yes "text." | tts: refused past 64 MiB, with memory bounded, and yes told to stop', async () => {
    const yes = spawn('yes', ['text.'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const run = startTts(['-o', box.path('out.mp3')], { env: env(), stdio: [yes.stdout, 'pipe', 'pipe'], killAfterMs: 60_000 });
    // tts has the pipe now; once it stops reading, yes has no reader left and ends.
    yes.stdout.destroy();
    const r = await run.done;
    expect(r.stderr).toMatch(/stdin holds more than 64 MiB of text, more than tts reads at once\n {2}hint: /);
    expect(r.code).toBe(2);
    expect(r.peakRssMib).toBeLessThan(400);
    await until(() => yes.exitCode !== null || yes.signalCode !== null);
    expect(fake.requests).toHaveLength(0);
  }, 70_000);

  test('a file larger than the cap is refused without being read', async () => {
    writeFileSync(box.path('huge.txt'), '');
    truncateSync(box.path('huge.txt'), 65 * 1024 ** 2);
    const r = await startTts(['-f', box.path('huge.txt'), '-o', box.path('out.mp3')], { env: env() }).done;
    expect(r.stderr).toMatch(/huge\.txt holds more than 64 MiB of text/);
    expect(r.code).toBe(2);
    expect(r.peakRssMib).toBeLessThan(150);
  });

  test('a writer that sends a NUL and keeps its pipe open: refused at once, not at its end', async () => {
    expect(spawnSync('mkfifo', [box.path('fifo')]).status).toBe(0);
    const run = startTts(['-f', box.path('fifo'), '-o', box.path('out.mp3')], { env: env(), killAfterMs: 10_000 });
    const writer = await open(box.path('fifo'), 'w');
    await writer.write(Buffer.from('Some text, then\0garbage'));
    const r = await run.done;
    await writer.close();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/looks like a binary file/);
  });
});

describe('a signal while reading ends the run at once', () => {
  // Promptly: a busy machine may take a second or two to wind a process down; one that ignores the
  // signal never ends (it is killed at 10 s).
  const PROMPTLY_MS = 5000;
  const waitThenSignal = async (signal: NodeJS.Signals, args: string[], stdio?: 'idle-stdin') => {
    const run = startTts(args, { env: env(), killAfterMs: 10_000 });
    if (stdio !== 'idle-stdin') run.child.stdin?.end();
    // Node itself catches SIGINT and SIGTERM from the start; SIGHUP is caught once tts has set up
    // its own handlers (all three at once). From then on it is reading, or about to: either way the
    // signal must end it.
    await until(() => catches(run.pid, 'SIGHUP'));
    await new Promise((r) => setTimeout(r, 300));
    const sent = Date.now();
    run.child.kill(signal);
    const r = await run.done;
    run.child.stdin?.destroy();
    return { ...r, afterSignalMs: Date.now() - sent };
  };

  test('Ctrl-C on an idle stdin (a pipe nobody writes to): 130, promptly', async () => {
    const r = await waitThenSignal('SIGINT', ['-o', box.path('out.mp3')], 'idle-stdin');
    expect(r.code).toBe(130);
    expect(r.stderr).toBe('tts: interrupted\n');
    expect(r.afterSignalMs).toBeLessThan(PROMPTLY_MS);
  });

  test('SIGTERM on a named pipe with no writer: 143, promptly', async () => {
    expect(spawnSync('mkfifo', [box.path('fifo')]).status).toBe(0);
    const r = await waitThenSignal('SIGTERM', ['-f', box.path('fifo'), '-o', box.path('out.mp3')]);
    expect(r.code).toBe(143);
    expect(r.stderr).toBe('tts: interrupted by SIGTERM\n');
    expect(r.afterSignalMs).toBeLessThan(PROMPTLY_MS);
  });

  test('a named pipe whose writer comes later is read as usual', async () => {
    expect(spawnSync('mkfifo', [box.path('fifo')]).status).toBe(0);
    const run = startTts(['-f', box.path('fifo'), '-o', box.path('out.mp3')], { env: env() });
    await new Promise((r) => setTimeout(r, 500));
    const writer = await open(box.path('fifo'), 'w');
    await writer.write('Late but welcome.');
    await writer.close();
    expect((await run.done).code).toBe(0);
    expect(fake.inputs()).toEqual(['Late but welcome.']);
  });
});
