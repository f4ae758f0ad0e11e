import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeEpub, navDocument, PNG, xhtml } from '../books/hand-made-epub.js';
import { decode, requireTool } from '../helpers/audio-tools.js';
import { hang, type FakeProvider } from '../helpers/fake-provider.js';
import { runTts, Sandbox, spawnTts, useFakeProvider } from '../helpers/run-tts.js';
import { partFiles, startTts, until } from '../helpers/spawn-bin.js';
import { toneReply, type ServedTone } from '../helpers/tone-provider.js';

/*
 * Audiobooks end to end, through the real bin: books pandoc made, spoken by a provider on 127.0.0.1
 * that serves real audio (ffmpeg tones, in whatever format it is asked for), and every file read
 * back the way a player reads it, with ffprobe and ffmpeg.
 */

let fake: FakeProvider;
let box: Sandbox;
let served: Map<string, ServedTone>;
useFakeProvider((f, b) => {
  fake = f;
  box = b;
  served = new Map();
  fake.fallback = toneReply(served);
});

/** The book's own providers: OpenAI sends every format; OpenRouter only mp3 and pcm, the rest made here. */
const env = (provider: 'openai' | 'openrouter' = 'openai') =>
  provider === 'openai' ? { ...box.env, OPENAI_API_KEY: 'sk-e2e-books-0000', OPENAI_BASE_URL: fake.url } : { ...box.env, OPENROUTER_API_KEY: 'sk-or-e2e-books-0000', OPENROUTER_BASE_URL: fake.url };

/** Sentences that never repeat, so each request's first words say where it is in the book. */
const waves = (from: number, count: number): string =>
  Array.from({ length: count }, (_, i) => `Wave ${from + i} broke on the rocks below the lamp, and the keeper wrote it in his log.`).join(' ');

// "The Storm" is longer than one request holds (OpenAI's 4,096 characters): two requests, one chapter.
const BOOK = `---
title: The Lighthouse Keeper
author: Ada Wren
lang: en-GB
---

# The Storm

${Array.from({ length: 12 }, (_, p) => waves(p * 6 + 1, 6)).join('\n\n')}

# Morning Light

The sun came up over a quiet sea. The keeper put out the lamp and slept at last.

# Evening

The lamp was lit again at dusk, and the ships went safely by.
`;

/** pandoc's title page is the first chapter. */
const TITLES = ['The Lighthouse Keeper', 'The Storm', 'Morning Light', 'Evening'];

let dir: string;
const epub = (version: string): string => join(dir, `${version}.epub`);
beforeAll(() => {
  for (const tool of ['pandoc', 'ffmpeg', 'ffprobe']) requireTool(tool);
  dir = mkdtempSync(join(tmpdir(), 'tts-audiobooks-'));
  writeFileSync(join(dir, 'book.md'), BOOK);
  writeFileSync(join(dir, 'cover.png'), PNG);
  for (const version of ['epub2', 'epub3']) {
    execFileSync('pandoc', ['book.md', '-t', version, '--epub-cover-image=cover.png', '-o', `${version}.epub`], { cwd: dir });
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TIMEOUT = 60_000;

interface ProbedBook {
  chapters: { start: number; end: number; title: string }[];
  /** Format and audio stream tags, keys in lower case (FLAC and Opus write TITLE, MP4 and ID3 title). */
  tags: Record<string, string>;
  duration: number;
}

function probeBook(path: string): ProbedBook {
  const json = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_chapters', '-show_format', '-show_streams', '-of', 'json', path], { encoding: 'utf8' })) as {
    chapters: { start_time: string; end_time: string; tags?: { title?: string } }[];
    format: { duration: string; tags?: Record<string, string> };
    streams: { codec_type: string; tags?: Record<string, string> }[];
  };
  const audio = json.streams.find((s) => s.codec_type === 'audio');
  const tags = Object.fromEntries(Object.entries({ ...audio?.tags, ...json.format.tags }).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    chapters: json.chapters.map((c) => ({ start: Number(c.start_time), end: Number(c.end_time), title: c.tags?.title ?? '' })),
    tags,
    duration: Number(json.format.duration),
  };
}

/** What ffmpeg says decoding the whole file: nothing, for a sound file. */
function decodeErrors(path: string): string {
  return spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'null', '-'], { encoding: 'utf8' }).stderr.trim();
}

/** The cover a player shows: the file's attached picture, as stored. */
function coverOf(path: string): Buffer {
  return spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:v:0', '-c', 'copy', '-f', 'image2pipe', '-'], { maxBuffer: 1 << 24 }).stdout;
}

/**
 * The requests as the listener hears them: in the book's order (each found in the source by its
 * first line), each with its length in the output. A chapter's first request starts with its title.
 */
function heardInOrder(source: string): { input: string; seconds: number; chapter: string | undefined }[] {
  const first = (input: string): string => input.split('\n')[0]!.replace(/\.$/, '');
  const requests = [...served.values()].map((r) => ({ r, at: source.indexOf(first(r.input)) }));
  for (const { r, at } of requests) expect(at, `"${first(r.input)}" is in the book`).toBeGreaterThanOrEqual(0);
  requests.sort((a, b) => a.at - b.at);
  // Only the first chunk of a stream has its Opus pre-skip trimmed: later ones play theirs.
  return requests.map(({ r }, i) => ({ input: r.input, seconds: (r.samples - (i === 0 ? r.preSkip : 0)) / r.sampleRate, chapter: TITLES.find((t) => r.input.startsWith(`${t}.`)) }));
}

/** Where each chapter's audio begins: the lengths of everything served before its first request. */
function chapterStarts(heard: ReturnType<typeof heardInOrder>): { title: string; start: number }[] {
  let at = 0;
  const starts: { title: string; start: number }[] = [];
  for (const request of heard) {
    if (request.chapter !== undefined) starts.push({ title: request.chapter, start: at });
    at += request.seconds;
  }
  return starts;
}

/** The requests of each chapter, in order. */
function byChapter(heard: ReturnType<typeof heardInOrder>): ReturnType<typeof heardInOrder>[] {
  const chapters: ReturnType<typeof heardInOrder>[] = [];
  for (const request of heard) {
    if (request.chapter !== undefined) chapters.push([]);
    chapters.at(-1)!.push(request);
  }
  return chapters;
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

/** Chapter marks are stored in whole milliseconds (WAV and m4b more finely): within half of one, plus rounding. */
function expectStartsAt(probed: ProbedBook, starts: { title: string; start: number }[]): void {
  expect(probed.chapters.map((c) => c.title)).toEqual(starts.map((s) => s.title));
  probed.chapters.forEach((c, i) => expect(Math.abs(c.start - starts[i]!.start), `chapter ${i + 1} starts at ${c.start}, its audio at ${starts[i]!.start}`).toBeLessThanOrEqual(0.0006));
}

const OUTPUT_RATE: Record<string, number> = { mp3: 24_000, opus: 48_000, flac: 24_000, wav: 24_000, m4b: 24_000 };

/** Samples ffmpeg decodes from the file at its own rate, in seconds; fails on any decoding error. */
const decodedSeconds = (path: string, ext: string): number => decode(path).length / 2 / OUTPUT_RATE[ext]!;

describe.each([
  // OpenAI is asked for the file's own codec (aac for m4b), and the provider's chunks are joined.
  ['epub3', 'openai', ['mp3', 'opus', 'flac', 'wav', 'm4b']],
  // OpenRouter sends pcm, encoded here (Opus); it has no aac, so the m4b comes from OpenAI.
  ['epub2', 'openrouter', ['opus', 'm4b']],
] as const)('a book pandoc made as %s, spoken through %s', (version, provider, formats) => {
  test.each(formats)('into one .%s: chapters where their audio begins, tags, cover', async (ext) => {
    const via = ext === 'm4b' ? 'openai' : provider;
    const out = box.path(`book.${ext}`);
    const r = await spawnTts(['-f', epub(version), '-o', out], { env: env(via) });
    expect(r.stderr).toMatch(new RegExp(`book\\.${ext}: \\d+:\\d\\d of ${ext}`));
    expect(r.code).toBe(0);
    const wire = via === 'openrouter' ? 'pcm' : ext === 'm4b' ? 'aac' : ext;
    expect(new Set(fake.requests.map((q) => q.body['response_format']))).toEqual(new Set([wire]));

    const heard = heardInOrder(BOOK);
    expect(heard.filter((h) => h.chapter === undefined)).toHaveLength(1); // The Storm's second request
    const probed = probeBook(out);
    expectStartsAt(probed, chapterStarts(heard));
    // Every sample served is in the file, in order, and nothing else; ffmpeg decodes it without a complaint.
    const total = sum(heard.map((h) => h.seconds));
    expect(decodedSeconds(out, ext)).toBeCloseTo(total, 4);
    // Vorbis comments give chapter starts only: ffprobe ends an Ogg file's last chapter at its own estimate.
    if (ext !== 'opus') expect(probed.chapters.at(-1)!.end).toBeCloseTo(total, 2);

    // The summary gives each chapter's length, as the file's own marks have it.
    expect(r.stderr.split('\n').filter((line) => /^ {2}\d+ +\d+:\d\d {2}/.test(line)).map((line) => line.replace(/^ {2}\d+ +\d+:\d\d {2}/, ''))).toEqual(TITLES);

    expect(probed.tags).toMatchObject({ title: 'The Lighthouse Keeper', artist: 'Ada Wren' });
    // WAV has no standard place for a picture.
    if (ext !== 'wav') expect(coverOf(out).equals(PNG)).toBe(true);
  }, TIMEOUT);
});

test("--json: the summary gives each chapter its start and length, as the file's marks have them", async () => {
  const out = box.path('book.mp3');
  const r = await spawnTts(['-f', epub('epub3'), '-o', out, '--json'], { env: env() });
  expect(r.code).toBe(0);
  const summary = JSON.parse(r.stdout.toString()) as { chapters: { title: string; start: number; seconds: number }[]; audioSeconds: number };
  const probed = probeBook(out);
  expect(summary.chapters.map((c) => c.title)).toEqual(TITLES);
  summary.chapters.forEach((c, i) => {
    expect(c.start).toBeCloseTo(probed.chapters[i]!.start, 2);
    expect(c.seconds).toBeCloseTo(probed.chapters[i]!.end - probed.chapters[i]!.start, 2);
  });
  expect(sum(summary.chapters.map((c) => c.seconds))).toBeCloseTo(summary.audioSeconds, 2);
}, TIMEOUT);

test('progress on a terminal names the chapter being written', async () => {
  // Request 0 is sent while the plan is still being cut, and its audio may be in before the outputs are
  // ready: it takes a second here, so the first chapter is still being written when the line is drawn.
  let first = true;
  fake.fallback = (req, res) => {
    const ms = first ? 1000 : 150;
    first = false;
    void new Promise((resolve) => setTimeout(resolve, ms)).then(() => toneReply(served)(req, res));
  };
  const r = await runTts(['-f', epub('epub3'), '-o', box.path('book.opus'), '-c', '1'], { env: { ...env(), CI: undefined }, stderrIsTTY: true });
  expect(r.code, r.stderr).toBe(0);
  const drawn = r.stderr.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
  const named = [...drawn.matchAll(/Speaking: [^\n⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]*· ([A-Z][A-Za-z ]+?)(?= *(?:[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]|\n|$))/g)].map((m) => m[1]);
  // Each chapter is named while it is written, in the book's order.
  expect([...new Set(named)]).toEqual(TITLES);
}, TIMEOUT);

describe('one file per chapter, choosing chapters, naming the book', () => {
  test('-o folder/: a file per chapter, "NN Title.ext", each with its track number and the book as album', async () => {
    const folder = box.path('audiobook/');
    const r = await spawnTts(['-f', epub('epub3'), '-o', folder, '-F', 'flac'], { env: env() });
    expect(r.code).toBe(0);
    const names = TITLES.map((t, i) => `0${i + 1} ${t}.flac`);
    expect(readdirSync(folder).sort()).toEqual(names);
    const heard = heardInOrder(BOOK);
    const parts = byChapter(heard);
    names.forEach((name, i) => {
      const probed = probeBook(join(folder, name));
      // Vorbis comments: TRACKNUMBER and TRACKTOTAL.
      expect(probed.tags).toMatchObject({ title: TITLES[i], album: 'The Lighthouse Keeper', artist: 'Ada Wren', track: `${i + 1}`, tracktotal: '4' });
      // The file is the chapter: no marks inside it, and exactly its own requests' audio.
      expect(probed.chapters).toEqual([]);
      expect(decodedSeconds(join(folder, name), 'flac')).toBeCloseTo(sum(parts[i]!.map((h) => h.seconds)), 4);
    });
    // The summary names each file with its length, then the whole.
    const lines = r.stderr.trim().split('\n');
    expect(lines.slice(0, 4).map((l) => l.replace(/: \d+:\d\d$/, ''))).toEqual(names.map((n) => join(folder, n)));
    expect(lines[4]).toMatch(/^4 files of 4, 0:\d\d of flac$/);
  }, TIMEOUT);

  test('-o folder/ --chapters 2-3: each file keeps the name and track number it has in the whole book', async () => {
    const folder = box.path('some/');
    const r = await spawnTts(['-f', epub('epub2'), '-o', folder, '-F', 'wav', '--chapters', '2-3'], { env: env() });
    expect(r.code).toBe(0);
    expect(readdirSync(folder).sort()).toEqual(['02 The Storm.wav', '03 Morning Light.wav']);
    expect(probeBook(join(folder, '02 The Storm.wav')).tags).toMatchObject({ title: 'The Storm', track: '2/4' });
    expect(probeBook(join(folder, '03 Morning Light.wav')).tags).toMatchObject({ title: 'Morning Light', track: '3/4' });
    expect(fake.requests).toHaveLength(3);
  }, TIMEOUT);

  test('--dry-run lists each chapter with its number, title, characters, cost and time, and sends nothing', async () => {
    const r = await spawnTts(['-f', epub('epub2'), '-o', box.path('book.m4b'), '--dry-run'], { env: env() });
    expect(r.code).toBe(0);
    const listed = r.stdout.toString().split('\n').filter((l) => /^ {2}\d\. /.test(l));
    expect(listed.map((l) => l.replace(/ · .*/, ''))).toEqual(TITLES.map((t, i) => `  ${i + 1}. ${t}`));
    for (const line of listed) expect(line).toMatch(/ · [\d,]+ characters · ~\d+:\d\d · ~\$\d+\.\d+$/);
    expect(fake.requests).toHaveLength(0);
    expect(existsSync(box.path('book.m4b'))).toBe(false);
  }, TIMEOUT);

  test('--chapters 2-3 speaks only those, as the dry run said; --title and --author name the book', async () => {
    const args = ['-f', epub('epub3'), '-o', box.path('part.m4b'), '--chapters', '2-3', '--title', 'Storm Log', '--author', 'Cal Reed'];
    const dry = await spawnTts([...args, '--dry-run', '--json'], { env: env() });
    expect(dry.code).toBe(0);
    const planned = (JSON.parse(dry.stdout.toString()) as { chapters: { number: number; title: string; characters: number }[] }).chapters;
    expect(planned.map((c) => [c.number, c.title])).toEqual([[2, 'The Storm'], [3, 'Morning Light']]);
    expect(fake.requests).toHaveLength(0);

    const r = await spawnTts(args, { env: env() });
    expect(r.code).toBe(0);
    const heard = heardInOrder(BOOK);
    expect(heard.map((h) => h.chapter)).toEqual(['The Storm', undefined, 'Morning Light']);
    // What was sent is what the dry run counted, chapter by chapter.
    expect(byChapter(heard).map((requests) => sum(requests.map((h) => [...h.input].length)))).toEqual(planned.map((c) => c.characters));
    const probed = probeBook(box.path('part.m4b'));
    expectStartsAt(probed, chapterStarts(heard));
    expect(probed.tags).toMatchObject({ title: 'Storm Log', artist: 'Cal Reed' });
    expect(decodeErrors(box.path('part.m4b'))).toBe('');
  }, TIMEOUT);
});

test('a book whose cover is a GIF is still spoken: the files carry no cover, and one warning says why', async () => {
  // EPUB allows GIF (and SVG, WebP) covers; the containers here take JPEG and PNG only.
  const gif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///ywAAAAAAQABAAACAUwAOw==', 'base64');
  const book = makeEpub({
    metadata: '<dc:title>Old Harbour</dc:title><dc:language>en</dc:language>',
    items: [
      { id: 'nav', href: 'nav.xhtml', properties: 'nav', spine: false, content: navDocument([['ch1.xhtml', 'Quay'], ['ch2.xhtml', 'Light']]) },
      { id: 'ch1', href: 'ch1.xhtml', content: xhtml('<h1>Quay</h1><p>The boats were tied up for winter.</p>') },
      { id: 'ch2', href: 'ch2.xhtml', content: xhtml('<h1>Light</h1><p>The lamp turned all night.</p>') },
      { id: 'cover', href: 'cover.gif', mediaType: 'image/gif', properties: 'cover-image', spine: false, content: gif },
    ],
  });
  writeFileSync(box.path('gif.epub'), book);
  const folder = box.path('harbour/');
  const r = await spawnTts(['-f', box.path('gif.epub'), '-o', folder], { env: env() });
  expect(r.code).toBe(0);
  // Once for the book, not once per chapter file.
  expect(r.stderr.match(/warning: .*the book's cover is not a JPEG or PNG image \(its package says image\/gif\)/g)).toHaveLength(1);
  for (const [i, title] of ['Quay', 'Light'].entries()) {
    const file = join(folder, `0${i + 1} ${title}.mp3`);
    expect(probeBook(file).tags).toMatchObject({ title, album: 'Old Harbour' });
    expect(coverOf(file)).toHaveLength(0);
  }
}, TIMEOUT);

describe('books that cannot be spoken are refused before any request', () => {
  test('a truncated EPUB (the first half of one): exit 2, says it is damaged', async () => {
    const bytes = readFileSync(epub('epub3'));
    writeFileSync(box.path('half.epub'), bytes.subarray(0, bytes.length / 2));
    const r = await spawnTts(['-f', box.path('half.epub'), '-o', box.path('half.mp3')], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('half.epub: the EPUB is damaged: it is not a complete zip archive');
    expect(fake.requests).toHaveLength(0);
    expect(existsSync(box.path('half.mp3'))).toBe(false);
  }, TIMEOUT);

  test('a DRM-locked EPUB (its chapters listed in META-INF/encryption.xml): exit 2, says so', async () => {
    const files = unzipSync(readFileSync(epub('epub3')));
    files['META-INF/encryption.xml'] = strToU8(`<?xml version="1.0"?>
<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" xmlns:enc="http://www.w3.org/2001/04/xmlenc#">
  <enc:EncryptedData><enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>
    <enc:CipherData><enc:CipherReference URI="EPUB/text/ch001.xhtml"/></enc:CipherData></enc:EncryptedData>
</encryption>`);
    writeFileSync(box.path('locked.epub'), zipSync(files));
    const r = await spawnTts(['-f', box.path('locked.epub'), '-o', box.path('locked.mp3')], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/locked\.epub is locked with DRM: its text is encrypted \(EPUB\/text\/ch001\.xhtml\)/);
    expect(r.stderr).toMatch(/hint: .*DRM-free/);
    expect(fake.requests).toHaveLength(0);
  }, TIMEOUT);

  test.each([
    ['openrouter', 'OpenRouter'],
    ['local', 'the built-in voice (eSpeak NG, offline)'],
  ] as const)('an m4b from -p %s, which has no aac: exit 2, nothing sent', async (name, said) => {
    const r = await spawnTts(['-f', epub('epub3'), '-o', box.path('book.m4b'), '-p', name], { env: env('openrouter') });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`m4b holds AAC audio, which ${said} cannot send`);
    expect(r.stderr).toMatch(/hint: .*mp3, opus and flac carry chapters/);
    expect(fake.requests).toHaveLength(0);
    expect(existsSync(box.path('book.m4b'))).toBe(false);
  }, TIMEOUT);
});

const PAGE = `<!DOCTYPE html>
<html lang="en"><head><title>Harbour Notes</title>
<style>body { font-family: serif } .style-words { color: red }</style>
<script>var secret = "a script is never read aloud";</script>
</head>
<body>
<nav><a href="/">Home</a> <a href="/about">About us</a></nav>
<h1>Arrivals</h1>
<p>The ferry came in at noon, heavy with mail.</p>
<script>document.write("nor is this one")</script>
<form action="/search"><label for="q">Search the site</label><input id="q" value="type here"><button>Go</button><textarea>Typed words</textarea></form>
<h1>Departures</h1>
<p>The ferry left at dusk.</p>
</body></html>
`;

test('an HTML page: its main text only, a chapter at each h1, its title as the title', async () => {
  writeFileSync(box.path('page.html'), PAGE);
  const r = await spawnTts(['-f', box.path('page.html'), '-o', box.path('page.mp3')], { env: env() });
  expect(r.code).toBe(0);
  expect(fake.inputs().sort()).toEqual(['Arrivals.\n\nThe ferry came in at noon, heavy with mail.', 'Departures.\n\nThe ferry left at dusk.']);
  const probed = probeBook(box.path('page.mp3'));
  expect(probed.chapters.map((c) => c.title)).toEqual(['Arrivals', 'Departures']);
  expect(probed.tags['title']).toBe('Harbour Notes');
  expect(decodeErrors(box.path('page.mp3'))).toBe('');
}, TIMEOUT);

test('Ctrl-C in the middle of a book, then the same command: only the requests not yet cached are sent', async () => {
  const args = ['-f', epub('epub3'), '-o', box.path('book.opus')];
  // Two chapters are spoken; the other requests hang until the run is interrupted.
  fake.reply(toneReply(served), toneReply(served));
  fake.fallback = hang();
  const run = startTts(args, { env: env(), killAfterMs: 30_000 });
  const cached = (): number => (existsSync(box.path('cache/tts/chunks')) ? (readdirSync(box.path('cache/tts/chunks'), { recursive: true }) as string[]).filter((f) => f.includes('/')).length : 0);
  // The book is five requests: two kept in the cache, three in flight.
  await until(() => fake.requests.length === 5 && cached() === 2, 20_000);
  run.child.kill('SIGINT');
  const first = await run.done;
  expect(first.code).toBe(130);
  expect(existsSync(box.path('book.opus'))).toBe(false);
  expect(partFiles(box.dir)).toEqual([]);
  const spokenBefore = [...served.keys()];

  fake.fallback = toneReply(served);
  const again = await spawnTts(args, { env: env() });
  expect(again.code).toBe(0);
  const resent = fake.inputs().slice(5);
  expect(resent.sort()).toEqual(fake.inputs().slice(0, 5).filter((i) => !spokenBefore.includes(i)).sort());
  expect(resent).toHaveLength(3);
  expect(again.stderr).toMatch(/· 3 requests, 2 from cache/);
  expectStartsAt(probeBook(box.path('book.opus')), chapterStarts(heardInOrder(BOOK)));
}, TIMEOUT);

/** A command line as a shell splits it: words, and double-quoted strings as one. */
const shellWords = (line: string): string[] => [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);

test("the README's audiobook commands, run as written, do what they say", async () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Audiobooks\n'));
  const commands = /```sh\n([\s\S]*?)```/.exec(section)![1]!.trim().split('\n').map((line) => shellWords(line.replace(/\s+#.*$/, '')));
  expect(commands.map((c) => c[0])).toEqual(Array(5).fill('tts'));
  copyFileSync(epub('epub3'), box.path('book.epub'));
  writeFileSync(box.path('page.html'), PAGE);
  for (const command of commands) {
    const sent = fake.requests.length;
    const r = await spawnTts(command.slice(1), { env: env(), cwd: box.dir });
    expect(r.code, `${command.join(' ')}: ${r.stderr}`).toBe(0);
    if (command.includes('--dry-run')) {
      expect(r.stdout.toString()).toContain(`  4. Evening · `);
      expect(fake.requests.length).toBe(sent);
    }
  }
  expect(probeBook(box.path('book.m4b')).chapters.map((c) => c.title)).toEqual(TITLES);
  expect(readdirSync(box.path('book')).sort()).toEqual(TITLES.map((t, i) => `0${i + 1} ${t}.mp3`));
  const part = probeBook(box.path('part.opus'));
  expect(part.chapters.map((c) => c.title)).toEqual(['The Storm', 'Morning Light']);
  expect(part.tags).toMatchObject({ title: 'The Storm', artist: 'Ada Wren' });
  expect(probeBook(box.path('page.mp3')).chapters.map((c) => c.title)).toEqual(['Arrivals', 'Departures']);
}, TIMEOUT);
