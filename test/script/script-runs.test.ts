import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { decode, encodeTone, requireTool } from '../helpers/audio-tools.js';
import { FakeProvider, bytesReply, fakePcm, sameBytes, speechReply } from '../helpers/fake-provider.js';
import { runTts, Sandbox, useFakeProvider } from '../helpers/run-tts.js';

let fake: FakeProvider;
let box: Sandbox;
useFakeProvider((f, b) => ((fake = f), (box = b)), speechReply());

const env = () => ({ ...box.env, OPENAI_API_KEY: 'k' });
const tts = (args: string[], stdin?: string) => runTts(['--base-url', fake.url, ...args], { env: env(), ...(stdin === undefined ? {} : { stdin }) });
const RATE = 24_000;

/** Root mean square of 16-bit samples from `from` to `to` seconds. */
function rms(pcm: Buffer, from: number, to: number): number {
  let sum = 0;
  const a = Math.floor(from * RATE);
  const b = Math.min(Math.floor(to * RATE), pcm.length / 2);
  for (let i = a; i < b; i++) sum += pcm.readInt16LE(i * 2) ** 2;
  return Math.sqrt(sum / Math.max(1, b - a));
}

describe('a script with a pause, in every format', () => {
  const SCRIPT = '<speak>First part. <break time="750ms"/> Second part.</speak>';
  test.each(['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'])('%s: one file, the pause made inside it, where the script puts it', async (format) => {
    requireTool('ffmpeg');
    // The server speaks each request as one second of tone, in the format it is asked for.
    const tone = format === 'pcm' ? decode(writeTone(box, 'wav')) : readFileSync(writeTone(box, format));
    fake.fallback = bytesReply(() => tone);
    const out = box.path(`script.${format}`);
    writeFileSync(box.path('script.ssml'), SCRIPT);
    const r = await tts(['-f', box.path('script.ssml'), '-o', out]);
    expect(r.stderr).toContain(out);
    expect(r.code).toBe(0);
    expect(fake.inputs().sort()).toEqual(['First part.', 'Second part.']);
    const pcm = format === 'pcm' ? readFileSync(out) : decode(out, RATE);
    const seconds = pcm.length / 2 / RATE;
    // Two seconds of tone and the pause; lossy codecs add their priming (under 0.1 s each).
    expect(seconds).toBeGreaterThan(2.74);
    expect(seconds).toBeLessThan(2.75 + 0.2);
    expect(rms(pcm, 0.2, 0.8)).toBeGreaterThan(1000);
    expect(rms(pcm, 1.12, 1.68)).toBeLessThan(30);
    expect(rms(pcm, 1.95, 2.6)).toBeGreaterThan(1000);
  });
});

function writeTone(sandbox: Sandbox, format: string): string {
  encodeTone(sandbox.dir, format, 1, 440);
  return `${sandbox.dir}/tone-440-1-24000.${format}`;
}

describe('bad scripts are refused before any request', () => {
  test('malformed SSML: exit 2 with the line and column, nothing sent', async () => {
    writeFileSync(box.path('bad.ssml'), '<speak>\n  <p>Hello <break time="1s"></p>\n</speak>');
    const r = await tts(['-f', box.path('bad.ssml'), '-o', box.path('bad.mp3')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/line 2, column \d+/);
    expect(fake.requests).toHaveLength(0);
  });

  test('a speaker not in the cast: exit 2 listing the cast, nothing sent', async () => {
    const r = await tts(['--cast', 'ANN=nova,BOB=onyx', '-o', box.path('d.mp3')], 'ANN: Hi.\nCAROL: Hello.\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"CAROL" is not in the cast \(ANN, BOB\)/);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('a long dialogue', () => {
  test('every turn in its voice, in order, with the gap between turns', async () => {
    fake.fallback = speechReply();
    const turns = Array.from({ length: 240 }, (_, i) => `${i % 2 === 0 ? 'ANN' : 'BOB'}: Line ${i + 1} of the play.`);
    const out = box.path('play.pcm');
    const r = await tts(['--cast', 'ANN=nova,BOB=onyx', '-o', out, '-c', '8'], turns.join('\n'));
    expect(r.code).toBe(0);
    const sent = fake.requests.map((q) => [String(q.body['input']), String(q.body['voice'])]);
    expect(sent).toHaveLength(240);
    expect(new Set(sent.map(([input, voice]) => `${voice}:${input}`))).toEqual(new Set(turns.map((t, i) => `${i % 2 === 0 ? 'nova' : 'onyx'}:${t.slice(5)}`)));
    // The output holds every turn's audio in script order, 300 ms of silence between turns.
    const gap = Buffer.alloc(0.3 * RATE * 2);
    const expected = Buffer.concat(turns.flatMap((t, i) => [...(i > 0 ? [gap] : []), fakePcm(t.slice(5))]));
    expect(sameBytes(readFileSync(out), expected)).toBe('same');
  });
});

describe('a lexicon', () => {
  test('changes what is sent, and the dry run says what it changed', async () => {
    writeFileSync(box.path('words.txt'), '# how to say things\nSQL = sequel\n/(\\d+)km/ = $1 kilometres\n');
    const dry = await tts(['--lexicon', box.path('words.txt'), '--dry-run', '-o', box.path('x.mp3')], 'SQL runs 5km. NoSQL stays.');
    expect(dry.code).toBe(0);
    expect(dry.stdout.toString()).toMatch(/SQL → sequel: once, first at line 1, column 1/);
    expect(dry.stdout.toString()).toMatch(/5km → 5 kilometres/);
    const r = await tts(['--lexicon', box.path('words.txt'), '-o', box.path('x.mp3')], 'SQL runs 5km. NoSQL stays.');
    expect(r.code).toBe(0);
    expect(fake.inputs()).toEqual(['sequel runs 5 kilometres. NoSQL stays.']);
  });
});

describe('hearing voices before paying for a book', () => {
  test('voices --preview speaks each voice by name; a second preview costs nothing', async () => {
    fake.fallback = speechReply();
    const out = box.path('preview.pcm');
    const preview = (to: string) => runTts(['voices', '--preview', '-v', 'alloy,nova', '-o', to, '--base-url', fake.url], { env: env() });
    const first = await preview(out);
    expect(first.code).toBe(0);
    expect(fake.requests.map((q) => [q.body['voice'], String(q.body['input']).split('.')[0]])).toEqual(
      expect.arrayContaining([['alloy', 'alloy'], ['nova', 'nova']]),
    );
    expect(fake.requests).toHaveLength(2);
    const again = await preview(box.path('again.pcm'));
    expect(again.code).toBe(0);
    expect(fake.requests).toHaveLength(2);
    expect(again.stderr).toMatch(/2 from cache/);
    expect(sameBytes(readFileSync(box.path('again.pcm')), readFileSync(out))).toBe('same');
  });
});
