import { writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { FakeProvider } from '../helpers/fake-provider.js';
import { Sandbox, spawnTts, useFakeProvider } from '../helpers/run-tts.js';

let fake: FakeProvider;
let box: Sandbox;
useFakeProvider((f, b) => ((fake = f), (box = b)));

const env = () => ({ ...box.env, OPENAI_API_KEY: 'sk-markdown-test-0000', OPENAI_BASE_URL: fake.url });

const NOTES = [
  '---',
  'title: Release notes',
  'author: Ann Lee',
  '---',
  '',
  '# Version 2 &amp; more',
  '',
  'See https://example.com/changes or <https://example.com>.',
  'A claim[^1], then a hard break\\',
  'and more.',
  '',
  '<!-- internal: do not read -->',
  '<script>track();</script>',
  '',
  '> > Nested quote.',
  '',
  '    indented code',
  '',
  '- First',
  '- Second',
  '',
  '[^1]: The footnote.',
].join('\n');

/** What a dry run would send, chunk by chunk, from its JSON plan. */
async function dryRunChunks(args: string[]): Promise<{ text: string; start: number; end: number }[]> {
  const r = await spawnTts(['--dry-run', '--json', ...args], { env: env() });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout.toString()) as { chunks: { text: string; start: number; end: number }[] }).chunks;
}

async function dryRunText(args: string[]): Promise<string[]> {
  return (await dryRunChunks(args)).map((chunk) => chunk.text);
}

describe('a .md file through the real bin', () => {
  test('--dry-run plans the words, not the markup, and sends nothing', async () => {
    const file = box.path('notes.md');
    writeFileSync(file, NOTES);
    expect(await dryRunText(['-f', file])).toEqual(['Version 2 & more.\n\nSee  or .\nA claim, then a hard break\nand more.\n\nNested quote.\n\nFirst.\nSecond.']);
    expect(fake.requests).toHaveLength(0);
  });

  test("the plan's offsets point into the Markdown file, not into the spoken text", async () => {
    const file = box.path('notes.md');
    writeFileSync(file, NOTES);
    const [chunk] = await dryRunChunks(['-f', file]);
    const written = NOTES.slice(chunk?.start, chunk?.end);
    expect(written.startsWith('Version 2 &amp; more')).toBe(true);
    // The full stop added after the last list item points just past it.
    expect(written.trimEnd().endsWith('- Second')).toBe(true);
  });

  test('--no-markdown reads the same file exactly as written', async () => {
    const file = box.path('notes.md');
    writeFileSync(file, NOTES);
    expect((await dryRunText(['-f', file, '--no-markdown'])).join('')).toContain('<script>track();</script>');
  });

  test('a file of markup only is refused before any request', async () => {
    const file = box.path('code.md');
    writeFileSync(file, '```sh\nnpm test\n```\n\n<!-- nothing -->\n');
    const r = await spawnTts(['-f', file, '-o', box.path('out.mp3')], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Nothing to speak.*--no-markdown/s);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('start-up', () => {
  test('the Markdown parser is loaded only when Markdown is read', async () => {
    // A module hook that fails any run importing the parser.
    const hooks = box.path('forbid-parser.mjs');
    writeFileSync(hooks, `export async function resolve(specifier, context, next) {
  if (/^markdown-it/.test(specifier)) throw new Error('the Markdown parser was loaded: ' + specifier);
  return next(specifier, context);
}\n`);
    const register = box.path('register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${hooks}`)});\n`);
    const guarded = { ...env(), NODE_OPTIONS: `--import=${register}` };
    const text = box.path('plain.txt');
    writeFileSync(text, '# Not Markdown, just text.');

    const plain = await spawnTts(['--dry-run', '-f', text], { env: guarded });
    expect(plain.stderr).toBe('');
    expect(plain.code).toBe(0);
    // The guard does bite: reading Markdown needs the parser.
    const markdown = await spawnTts(['--dry-run', '--markdown', '-f', text], { env: guarded });
    expect(markdown.code).not.toBe(0);
    expect(markdown.stderr).toContain('the Markdown parser was loaded');
  }, 40_000);
});
