import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { SENTENCES } from '../../bench/align-corpus.js';
import { probe, requireTool } from '../helpers/audio-tools.js';
import { jsonError } from '../helpers/fake-provider.js';
import { fliteReply, sentencesOf, storyText, type ServedRequest } from '../helpers/flite-provider.js';
import { Sandbox, spawnTts, useFakeProvider } from '../helpers/run-tts.js';
import type { FakeProvider } from '../helpers/fake-provider.js';

/*
 * --subtitles end to end, through the real bin, against a provider that really speaks (flite, one
 * sentence at a time, so every sentence's true place is known): each cue must change inside the
 * pause between its sentence and the next, at most 120 ms into either one's sound, for at least
 * 98 % of sentence boundaries.
 */

let fake: FakeProvider;
let box: Sandbox;
let served: Map<string, ServedRequest>;
useFakeProvider((f, b) => {
  fake = f;
  box = b;
  served = new Map();
  fake.fallback = fliteReply(served);
});

beforeAll(() => {
  for (const tool of ['flite', 'sox', 'ffmpeg', 'ffprobe']) requireTool(tool);
});

const env = () => ({ ...box.env, OPENAI_API_KEY: 'sk-e2e-subtitles-0000', OPENAI_BASE_URL: fake.url });
const POOL = [...SENTENCES.prose, ...SENTENCES.question];
const SLACK = 0.12;
const TIMEOUT = 180_000;

interface Cue {
  start: number;
  end: number;
  text: string;
}

/** SRT and WebVTT as a player reads them: blocks of an optional number, a time line, then text. */
function readCues(file: string): Cue[] {
  const seconds = (t: string): number => {
    const [h, m, s] = t.replace(',', '.').split(':').map(Number);
    return h! * 3600 + m! * 60 + s!;
  };
  return readFileSync(file, 'utf8')
    .replace(/^WEBVTT[^\n]*\n/, '')
    .split(/\n\n+/)
    .map((block) => block.trim().split('\n'))
    .filter((lines) => lines.some((l) => l.includes('-->')))
    .map((lines) => {
      const at = lines.findIndex((l) => l.includes('-->'));
      const [from, to] = lines[at]!.split(' --> ');
      return { start: seconds(from!.trim()), end: seconds(to!.trim().split(' ')[0]!), text: lines.slice(at + 1).join(' ') };
    });
}

const spaced = (t: string): string => t.replace(/\s+/g, ' ').trim();

/**
 * Every sentence's true place in the whole output: the requests, found in the text in order (the
 * same sentence may be a request more than once), follow one another in the audio.
 */
function truthInOutput(text: string): { text: string; start: number; end: number }[] {
  const rest = { text: spaced(text), offset: 0 };
  const truth: { text: string; start: number; end: number }[] = [];
  while (rest.text.length > 0) {
    const next = [...served.values()].filter((r) => rest.text.startsWith(spaced(r.input))).sort((a, b) => b.input.length - a.input.length)[0];
    if (!next) throw new Error(`no request carried "${rest.text.slice(0, 40)}…"`);
    for (const s of next.sentences) truth.push({ text: s.text, start: rest.offset + s.start, end: rest.offset + s.end });
    rest.offset += next.seconds;
    rest.text = rest.text.slice(spaced(next.input).length).trim();
  }
  return truth;
}

/**
 * The sentence changes that fall outside the pause between the two sentences (with the slack). A
 * cue may end before the next starts (the silence between two requests shows nothing), but never
 * after.
 */
function misplacedChanges(cues: Cue[], text: string, { lastEndsWithSpeech }: { lastEndsWithSpeech: boolean }): string[] {
  const truth = truthInOutput(text);
  expect(cues.map((c) => c.text)).toEqual(truth.map((t) => t.text));
  const misses: string[] = [];
  for (let k = 0; k + 1 < cues.length; k++) {
    const [end, next] = [cues[k]!.end, cues[k + 1]!.start];
    expect(end).toBeLessThanOrEqual(next + 0.0015);
    if (end < truth[k]!.end - SLACK || next > truth[k + 1]!.start + SLACK) {
      misses.push(`after "${truth[k]!.text}": ${end.toFixed(2)}–${next.toFixed(2)} s, pause ${truth[k]!.end.toFixed(2)}–${truth[k + 1]!.start.toFixed(2)} s`);
    }
  }
  const last = truth.at(-1)!;
  if (lastEndsWithSpeech && Math.abs(cues.at(-1)!.end - last.end) > SLACK) misses.push(`the last cue ends at ${cues.at(-1)!.end.toFixed(2)} s, its speech at ${last.end.toFixed(2)} s`);
  return misses;
}

function expectAccurate(cues: Cue[], text: string, options = { lastEndsWithSpeech: true }): void {
  const misses = misplacedChanges(cues, text, options);
  expect(misses.length <= Math.floor(0.02 * (cues.length - 1)) ? [] : misses).toEqual([]);
}

describe('--subtitles on real speech', () => {
  test('SRT beside a WAV file: two requests, every sentence change in its pause', async () => {
    const text = storyText(POOL, 110, 11);
    writeFileSync(box.path('story.txt'), text);
    const r = await spawnTts(['-f', box.path('story.txt'), '-o', box.path('story.wav'), '--subtitles', box.path('story.srt')], { env: env() });
    // Nothing said but the summary: no request was timed by length for want of alignment.
    expect(r.stderr).toMatch(/^\S+story\.wav: \d+:\d\d of wav[^\n]*\n$/);
    expect(r.code).toBe(0);
    expect(fake.requests.length).toBeGreaterThanOrEqual(2);
    const cues = readCues(box.path('story.srt'));
    expect(cues).toHaveLength(sentencesOf(text).length);
    expectAccurate(cues, text);
    expect(cues.at(-1)!.end).toBeLessThan(probe(box.path('story.wav')).duration);
  }, TIMEOUT);

  test('WebVTT beside an mp3 encoded here from the provider\'s pcm, read back as a player times it', async () => {
    const text = storyText(POOL, 40, 12);
    writeFileSync(box.path('talk.txt'), text);
    const r = await spawnTts(['-f', box.path('talk.txt'), '-o', box.path('talk.mp3'), '--subtitles', box.path('talk.vtt')], { env: env() });
    expect(r.code).toBe(0);
    expect(fake.requests.map((q) => q.body['response_format'])).toEqual(['pcm']);
    expect(readFileSync(box.path('talk.vtt'), 'utf8').startsWith('WEBVTT\n')).toBe(true);
    const cues = readCues(box.path('talk.vtt'));
    expectAccurate(cues, text);
    // ffmpeg honours the encoder delay the mp3 declares: the speech ends where the last cue does,
    // and the provider's 0.4 s of closing silence follows.
    expect(probe(box.path('talk.mp3')).duration - cues.at(-1)!.end).toBeCloseTo(0.4, 1);
  }, TIMEOUT);

  test('JSON while the audio goes to a pipe: cue offsets point into the input, requests span the output', async () => {
    const text = storyText(POOL, 30, 13);
    writeFileSync(box.path('notes.txt'), text);
    const r = await spawnTts(['-f', box.path('notes.txt'), '-o', '-', '-F', 'wav', '--subtitles', box.path('notes.json')], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout.subarray(0, 4).toString('latin1')).toBe('RIFF');
    // Listening as it arrives: a short first request, so several in all.
    expect(fake.requests.length).toBeGreaterThanOrEqual(2);
    const json = JSON.parse(readFileSync(box.path('notes.json'), 'utf8')) as {
      cues: { start: number; end: number; text: string; source: { start: number; end: number } }[];
      requests: { start: number; end: number; source: { start: number; end: number } }[];
    };
    for (const cue of json.cues) expect(spaced(text.slice(cue.source.start, cue.source.end))).toBe(cue.text);
    expectAccurate(json.cues, text);
    expect(json.requests).toHaveLength(fake.requests.length);
    json.requests.forEach((q, i) => expect(q.start).toBeCloseTo(i === 0 ? 0 : json.requests[i - 1]!.end, 6));
    expect(spaced(json.requests.map((q) => text.slice(q.source.start, q.source.end)).join(' '))).toBe(spaced(text));
  }, TIMEOUT);

  test('a rerun from the cache writes the same cues without a request', async () => {
    const text = storyText(POOL, 20, 14);
    writeFileSync(box.path('again.txt'), text);
    const args = ['-f', box.path('again.txt'), '-o', box.path('again.mp3')];
    expect((await spawnTts([...args, '--subtitles', box.path('first.srt')], { env: env() })).code).toBe(0);
    const sent = fake.requests.length;
    const again = await spawnTts([...args, '--subtitles', box.path('second.srt')], { env: env() });
    expect(again.code).toBe(0);
    expect(fake.requests.length).toBe(sent);
    expect(readFileSync(box.path('second.srt'), 'utf8')).toBe(readFileSync(box.path('first.srt'), 'utf8'));
  }, TIMEOUT);

  test('a failed run writes no subtitles and leaves an existing file as it was', async () => {
    const text = storyText(POOL, 110, 15);
    writeFileSync(box.path('fail.txt'), text);
    writeFileSync(box.path('fail.srt'), 'the old subtitles\n');
    fake.reply(fliteReply(served));
    fake.fallback = jsonError(500, { error: { message: 'the server fell over' } });
    const r = await spawnTts(['-f', box.path('fail.txt'), '-o', box.path('fail.mp3'), '--subtitles', box.path('fail.srt'), '--retries', '0'], { env: env() });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/fell over/);
    expect(readFileSync(box.path('fail.srt'), 'utf8')).toBe('the old subtitles\n');
    expect(existsSync(box.path('fail.mp3'))).toBe(false);
  }, TIMEOUT);

  test('aac, which cannot be read here: each sentence its own request, so cues change between requests', async () => {
    const text = storyText(POOL, 12, 16);
    const r = await spawnTts([text, '-o', box.path('aac.m4a'), '--subtitles', box.path('aac.srt')], { env: env() });
    expect(r.code).toBe(0);
    // One request a sentence (a sentence said twice is fetched once, then cached).
    expect(fake.requests.map((q) => q.body['response_format'])).toEqual(Array(new Set(sentencesOf(text)).size).fill('aac'));
    const cues = readCues(box.path('aac.srt'));
    expect(cues.map((c) => c.text)).toEqual(sentencesOf(text));
    // Each change is where one request's audio ends and the next begins: in the silence between.
    // Unaligned, the last cue lasts to the end of its request's audio.
    expectAccurate(cues, text, { lastEndsWithSpeech: false });
    expect(cues.at(-1)!.end).toBeLessThan(probe(box.path('aac.m4a')).duration);
  }, TIMEOUT);

  test('SSML: a <mark> is timed where its sentence starts, and a <break> is silence between cues', async () => {
    const [a, b, c] = [POOL[0]!, POOL[1]!, POOL[2]!];
    const script = `<speak>${a} <mark name="second"/>${b}<break time="1500ms"/><mark name="third"/>${c}</speak>`;
    writeFileSync(box.path('script.ssml'), script);
    const r = await spawnTts(['-f', box.path('script.ssml'), '-o', box.path('script.wav'), '--subtitles', box.path('script.json')], { env: env() });
    expect(r.code).toBe(0);
    const json = JSON.parse(readFileSync(box.path('script.json'), 'utf8')) as { cues: Cue[]; marks: { name: string; time: number }[] };
    expect(json.cues.map((q) => q.text)).toEqual([a, b, c]);
    const [second, third] = [json.marks.find((m) => m.name === 'second')!, json.marks.find((m) => m.name === 'third')!];
    // A mark inside a request is timed at its sentence's cue; one after a break, where the next request begins.
    expect(second.time).toBeCloseTo(json.cues[1]!.start, 2);
    expect(third.time).toBeGreaterThanOrEqual(json.cues[1]!.end + 1.5 - 0.002);
    expect(third.time).toBeLessThanOrEqual(json.cues[2]!.start);
  }, TIMEOUT);

  test('the built-in voice is timed too', async () => {
    const text = storyText(POOL, 8, 17);
    const r = await spawnTts([text, '-p', 'local', '-o', box.path('local.wav'), '--subtitles', box.path('local.srt')], { env: box.env });
    expect(r.code).toBe(0);
    const cues = readCues(box.path('local.srt'));
    expect(cues.map((c) => c.text)).toEqual(sentencesOf(text));
    for (let i = 1; i < cues.length; i++) expect(cues[i]!.start).toBeGreaterThanOrEqual(cues[i - 1]!.end - 0.0015);
    const duration = probe(box.path('local.wav')).duration;
    expect(cues.at(-1)!.end).toBeLessThanOrEqual(duration);
    expect(cues.at(-1)!.end).toBeGreaterThan(duration - 0.6);
  }, TIMEOUT);

  test('--play: the subtitles are written while the speakers play it', async () => {
    // ALSA's file plugin as the sound card: what is played is recorded.
    writeFileSync(box.path('.asoundrc'), `pcm.!default {\n  type file\n  slave.pcm "null"\n  file "${box.path('heard.wav')}"\n  format "wav"\n}\n`);
    const text = storyText(POOL, 6, 18);
    const r = await spawnTts([text, '-p', 'local', '--play', '-q', '--subtitles', box.path('played.vtt')], { env: box.env });
    expect(r.code).toBe(0);
    const cues = readCues(box.path('played.vtt'));
    expect(cues.map((c) => c.text)).toEqual(sentencesOf(text));
    const heard = readFileSync(box.path('heard.wav'));
    const bytesPerSecond = heard.readUInt32LE(28);
    expect((heard.length - 44) / bytesPerSecond).toBeGreaterThan(cues.at(-1)!.end);
  }, TIMEOUT);

  test('one subtitle file for several outputs, on the audio\'s own stdout, or named after audio there is none of: refused before any request', async () => {
    writeFileSync(box.path('a.txt'), 'One.');
    writeFileSync(box.path('b.txt'), 'Two.');
    const batch = await spawnTts(['-f', box.path('a.txt'), box.path('b.txt'), '-o', box.path('out/'), '--subtitles', box.path('x.srt')], { env: env() });
    expect(batch.code).toBe(2);
    expect(batch.stderr).toMatch(/--subtitles \S+x\.srt is one file, and this run writes several outputs\n {2}hint: Write each output's beside it, named after it: --subtitles \.srt/);
    const stdout = await spawnTts(['Hi.', '-o', '-', '--subtitles', '/dev/stdout'], { env: env() });
    expect(stdout.code).toBe(2);
    const unnamed = await spawnTts(['Hi.', '-o', '-', '-F', 'wav', '--subtitles', '.srt'], { env: env() });
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toMatch(/--subtitles \.srt names the subtitles after the audio file, and this run writes none/);
    // Beside the audio, an input of the same name is not written over either.
    writeFileSync(box.path('talk.srt'), 'One.');
    const input = await spawnTts(['-f', box.path('talk.srt'), '-o', box.path('talk.wav'), '--subtitles', '.srt'], { env: env() });
    expect(input.code).toBe(2);
    expect(input.stderr).toMatch(/--subtitles would overwrite the input file/);
    expect(fake.requests).toHaveLength(0);
  }, TIMEOUT);

  test('--subtitles .srt: beside the audio, named after it; into a folder, beside each file, each timed to its own audio', async () => {
    const [first, second] = [storyText(POOL, 16, 21), storyText(POOL, 12, 22)];
    writeFileSync(box.path('first.txt'), first);
    writeFileSync(box.path('second.txt'), second);
    const one = await spawnTts(['-f', box.path('first.txt'), '-o', box.path('first.wav'), '--subtitles', '.srt'], { env: env() });
    expect(one.code).toBe(0);
    expectAccurate(readCues(box.path('first.srt')), first);
    const r = await spawnTts(['-f', box.path('first.txt'), box.path('second.txt'), '-o', box.path('out/'), '-F', 'wav', '--subtitles', '.vtt'], { env: env() });
    expect(r.code).toBe(0);
    expect(readdirSync(box.path('out')).sort()).toEqual(['first.vtt', 'first.wav', 'second.vtt', 'second.wav']);
    for (const [name, text] of [['first', first], ['second', second]] as const) {
      const cues = readCues(box.path(`out/${name}.vtt`));
      expectAccurate(cues, text);
      expect(cues.at(-1)!.end).toBeLessThan(probe(box.path(`out/${name}.wav`)).duration);
    }
  }, TIMEOUT);
});
