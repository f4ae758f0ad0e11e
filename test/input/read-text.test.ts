import { writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { FakeProvider } from '../helpers/fake-provider.js';
import { runTts, Sandbox, useFakeProvider } from '../helpers/run-tts.js';

let fake: FakeProvider;
let box: Sandbox;
useFakeProvider((f, b) => ((fake = f), (box = b)));

const run = (args: string[], stdin?: string | Buffer) =>
  runTts(['-o', box.path('out.mp3'), '--base-url', fake.url, ...args], { env: { ...box.env, OPENAI_API_KEY: 'k' }, ...(stdin === undefined ? {} : { stdin }) });

describe('where the text comes from', () => {
  test('arguments are joined by spaces', async () => {
    expect((await run(['Hello', 'there', 'friend.'])).code).toBe(0);
    expect(fake.inputs()).toEqual(['Hello there friend.']);
  });

  test('a file: UTF-8, BOM dropped, CRLF made LF', async () => {
    writeFileSync(box.path('in.txt'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Line one.\r\nLine two, café ✓.\r\n')]));
    expect((await run(['-f', box.path('in.txt')])).code).toBe(0);
    expect(fake.inputs()).toEqual(['Line one.\nLine two, café ✓.']);
  });

  test('stdin when it is not a terminal, and -f -', async () => {
    expect((await run([], 'From a pipe.\n')).code).toBe(0);
    expect((await run(['-f', '-'], 'Dash means stdin.')).code).toBe(0);
    expect(fake.inputs()).toEqual(['From a pipe.', 'Dash means stdin.']);
  });

  test.each([
    ['empty text', ['']],
    ['whitespace only', ['   \n\t ']],
  ])('%s: exit 2 and no request', async (_name, args) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/No text to speak/);
    expect(fake.requests).toHaveLength(0);
  });

  test('empty stdin: exit 2 and no request', async () => {
    const r = await run([], '');
    expect(r.code).toBe(2);
    expect(fake.requests).toHaveLength(0);
  });

  test('nothing at all on a terminal: exit 2 with examples', async () => {
    const r = await runTts(['-o', box.path('x.mp3')], { env: { ...box.env, OPENAI_API_KEY: 'k' }, stdinIsTTY: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/tts "Hello there"/);
  });

  test.each([
    ['a missing file', () => box.path('missing.txt'), /no such file/],
    ['a directory', () => box.dir, /is a directory/],
    ['a binary file', () => (writeFileSync(box.path('bin.dat'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2])), box.path('bin.dat')), /binary file/],
    ['invalid UTF-8', () => (writeFileSync(box.path('latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e])), box.path('latin1.txt')), /not valid UTF-8/],
  ])('%s: a clear message, exit 2, no request', async (_name, path, message) => {
    const r = await run(['-f', path()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(fake.requests).toHaveLength(0);
  });

  test('text both as arguments and --file is ambiguous: exit 2', async () => {
    writeFileSync(box.path('in.txt'), 'x');
    expect((await run(['hello', '-f', box.path('in.txt')])).code).toBe(2);
  });
});

describe('bad flag values: a clear message, exit 2, no request', () => {
  test.each([
    [['-s', '5'], /--speed must be a number from 0.25 to 4/],
    [['-s', 'fast'], /--speed/],
    [['-F', 'ogg-vorbis'], /Unknown format "ogg-vorbis"/],
    [['--stream-format', 'chunked'], /--stream-format must be sse or audio/],
    [['--timeout', '0'], /--timeout/],
    [['-c', '2.5'], /--concurrency must be a whole number/],
    [['--retries', '-1'], /--retries/],
    [['-F', 'wav'], /--format wav does not match the output file/],
    [['--base-url', 'ftp://example'], /must start with http/],
    [['--frobnicate'], /unknown option '--frobnicate'/],
  ])('%j', async (flags, message) => {
    const r = await run(['Hello.', ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(fake.requests).toHaveLength(0);
  });

  test('an output folder that does not exist is refused before any request', async () => {
    const r = await runTts(['Hello.', '-o', box.path('nope/out.mp3'), '--base-url', fake.url], { env: { ...box.env, OPENAI_API_KEY: 'k' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/does not exist/);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('Markdown files', () => {
  const notes = '# Notes\n\nSee **this** [link](https://example.com).\n\n```sh\nrm -rf /\n```\n\n- one\n- two\n';

  test('a .md file is spoken as words, not markup', async () => {
    writeFileSync(box.path('notes.md'), notes);
    expect((await run(['-f', box.path('notes.md')])).code).toBe(0);
    expect(fake.inputs()).toEqual(['Notes.\n\nSee this link.\n\none.\ntwo.']);
  });

  test('--no-markdown reads it as written; --markdown applies it to stdin', async () => {
    writeFileSync(box.path('notes.md'), notes);
    await run(['-f', box.path('notes.md'), '--no-markdown']);
    await run(['--markdown'], '## From a pipe\n\n*Emphasis* here.');
    expect(fake.inputs()).toEqual([notes.trim(), 'From a pipe.\n\nEmphasis here.']);
  });

  test('Markdown that is only markup: exit 2, no request', async () => {
    writeFileSync(box.path('code.md'), '```\nconst x = 1;\n```\n');
    const r = await run(['-f', box.path('code.md')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Nothing to speak: the Markdown holds only markup.*--no-markdown/s);
    expect(fake.requests).toHaveLength(0);
  });
});
