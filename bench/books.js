// A 1 MB EPUB, about 20 hours of speech: read into a SpeechDocument (the dry run's first step), its
// dry run, and a whole run into an m4b against a fast provider, interrupted and resumed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { strToU8, zipSync } from 'fflate';
import { startAdtsProvider } from './adts-provider.js';

// A full collection before each heap reading, so it counts what the document holds, not garbage.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

// A vocabulary of 4,000 made-up words from syllables, chosen Zipf-like: it packs about as tightly
// as English prose does, so a 1 MB book holds about as much text as a real one.
const SYLLABLES = 'ba be bi bo bu ca ce ci co da de di do du fa fe fi fo ga ge go ha he hi ho ka ke ki ko la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo wa we wi ya yo za ze an en in on un ar er ir or ur'.split(' ');
const WORDS = Array.from({ length: 4000 }, (_, i) => {
  let word = '';
  for (let n = i + 1; n > 0; n = Math.floor(n / SYLLABLES.length)) word += SYLLABLES[n % SYLLABLES.length];
  return word;
});

/** A deterministic stream of prose: Zipf-like word choice, so it packs like real text does. */
function prose(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const word = () => WORDS[Math.floor(WORDS.length * next() ** 3)];
  const sentence = () => {
    const n = 6 + Math.floor(next() * 18);
    const words = Array.from({ length: n }, word);
    words[0] = words[0][0].toUpperCase() + words[0].slice(1);
    if (next() < 0.2) words[Math.floor(n / 2)] = `<em>${words[Math.floor(n / 2)]}</em>`;
    return `${words.join(' ')}${next() < 0.1 ? '&#8212;' : '.'}`;
  };
  return { sentence, next };
}

function chapter(n, seed) {
  const { sentence, next } = prose(seed);
  const paragraphs = [];
  let notes = '';
  for (let p = 0; p < 120; p++) {
    const sentences = Array.from({ length: 3 + Math.floor(next() * 6) }, sentence);
    if (p % 30 === 7) {
      sentences.push(`<a href="#fn${p}" epub:type="noteref">${p}</a>`);
      notes += `<aside epub:type="footnote" id="fn${p}"><p>${sentence()}</p></aside>\n`;
    }
    paragraphs.push(`<p>${sentences.join(' ')}</p>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><head><title>Chapter ${n}</title></head>
<body><section id="c${n}"><h1>Chapter ${n}</h1>
${paragraphs.join('\n')}
</section>
${notes}</body></html>
`;
}

/** An EPUB 3 book of `chapters` chapters of about 43,000 characters each, and a cover of `coverBytes`. */
export function makeBook(chapters, coverBytes = 0) {
  const files = {
    mimetype: [strToU8('application/epub+zip'), { level: 0 }],
    'META-INF/container.xml': strToU8(
      '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>',
    ),
  };
  const items = [];
  const nav = [];
  for (let n = 1; n <= chapters; n++) {
    files[`OEBPS/c${n}.xhtml`] = strToU8(chapter(n, n));
    items.push(`<item id="c${n}" href="c${n}.xhtml" media-type="application/xhtml+xml"/>`);
    nav.push(`<li><a href="c${n}.xhtml#c${n}">Chapter ${n}</a></li>`);
  }
  // A photograph does not compress: random bytes stand in for one, after a JPEG's first marker.
  const cover = new Uint8Array(coverBytes).map((_, i) => (i * 2654435761) >>> 24);
  cover.set([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00].slice(0, coverBytes));
  if (coverBytes > 0) files['OEBPS/cover.jpg'] = [cover, { level: 0 }];
  files['OEBPS/nav.xhtml'] = strToU8(
    `<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><body><nav epub:type="toc"><ol>${nav.join('')}</ol></nav></body></html>`,
  );
  const coverItem = coverBytes > 0 ? '<item id="cover" href="cover.jpg" media-type="image/jpeg" properties="cover-image"/>' : '';
  files['OEBPS/content.opf'] = strToU8(`<?xml version="1.0"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Long</dc:title><dc:language>en</dc:language></metadata>
<manifest><item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>${coverItem}${items.join('')}</manifest>
<spine>${items.map((_, i) => `<itemref idref="c${i + 1}"/>`).join('')}</spine></package>`);
  return zipSync(files);
}

/** A 1 MB book as the issue pictures one: about 20 hours of text (1.1 M characters) and pictures making up the rest. */
export function typicalBook() {
  const text = makeBook(25);
  return makeBook(25, Math.max(0, 1024 * 1024 - text.length));
}

/** A 1 MB book of text alone, about 40 hours: the most a 1 MB file can ask of the reader. */
export function textOnlyBook() {
  const per = makeBook(4).length / 4;
  return makeBook(Math.round((1024 * 1024) / per));
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const cpuMs = (since) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

/** Reads `book` from a file as the CLI does: wall and CPU time of each read, and the characters heard. */
async function timeReads(readEpub, book, runs) {
  const dir = mkdtempSync(join(tmpdir(), 'tts-bench-'));
  const path = join(dir, 'book.epub');
  writeFileSync(path, book);
  try {
    const reads = [];
    let document;
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      const cpu = process.cpuUsage();
      document = await readEpub(path);
      reads.push({ wall: performance.now() - start, cpu: cpuMs(cpu) });
    }
    const characters = document.segments.reduce((n, s) => n + (s.kind === 'speech' ? s.text.text.length : 0), 0);
    return { reads, characters, document };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const describe = (book, characters) =>
  `${(book.length / 2 ** 20).toFixed(2)} MB, ${(characters / 1e6).toFixed(2)} M chars, ${(characters / 15 / 3600).toFixed(0)} h`;

/**
 * Reads a 1 MB book: the first read in this process (modules loading, code not yet optimised, as in a
 * dry run) and later ones, for a typical book and for one of text alone; and the heap the document
 * holds. CPU time is shown beside wall time: on a busy machine wall time is mostly waiting.
 */
export async function benchBooks(runs = 5) {
  const typical = typicalBook();
  const textOnly = textOnlyBook();
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const start = performance.now();
  const cpu = process.cpuUsage();
  const { readEpub } = await import('../dist/books/read-epub.js');
  const load = { wall: performance.now() - start, cpu: cpuMs(cpu) };
  const first = await timeReads(readEpub, typical, 1);
  gc();
  const heldMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  const later = await timeReads(readEpub, typical, runs);
  const dense = await timeReads(readEpub, textOnly, runs);
  const firstWall = load.wall + first.reads[0].wall;
  const med = (reads, key) => median(reads.map((r) => r[key]));
  return [
    { measure: `typical book (${describe(typical, first.characters)})`, value: '', target: '' },
    { measure: '  first read, with loading the modules', value: `${firstWall.toFixed(0)} ms`, target: '' },
    { measure: '  the same, CPU time', value: `${(load.cpu + first.reads[0].cpu).toFixed(0)} ms`, target: '' },
    { measure: '  later reads (median)', value: `${med(later.reads, 'wall').toFixed(0)} ms`, target: '', },
    { measure: '  heap the document holds', value: `${heldMb.toFixed(0)} MB`, target: '' },
    { measure: `text-only book (${describe(textOnly, dense.characters)})`, value: '', target: '' },
    { measure: '  later reads (median)', value: `${med(dense.reads, 'wall').toFixed(0)} ms`, target: '' },
    { measure: '  the same, CPU time', value: `${med(dense.reads, 'cpu').toFixed(0)} ms`, target: '' },
  ];
}

const BIN = fileURLToPath(new URL('../bin/tts.js', import.meta.url));

/**
 * Runs the real bin: its exit code, wall and CPU time, and its peak resident memory (VmHWM, polled
 * every 20 ms and read once more at exit, when the kernel still holds it), and its resident memory
 * at each poll beside what `progress()` then said. `onSpawn` gets the child.
 */
function runBin(args, env, { onSpawn, progress } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let peakKb = 0;
    let cpuMs = 0;
    const samples = [];
    const sample = () => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
        if (progress) samples.push({ progress: progress(), rssMb: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024 });
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        cpuMs = ((Number(stat[11]) + Number(stat[12])) * 1000) / 100;
      } catch {}
    };
    const poll = setInterval(sample, 20);
    let stdout = '';
    let stderr = '';
    let answerMs;
    child.stdout.on('data', (d) => {
      answerMs ??= performance.now() - started;
      stdout += d;
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', sample);
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, stdout, stderr, answerMs, wallMs: performance.now() - started, cpuMs, peakMb: peakKb / 1024, samples });
    });
    onSpawn?.(child);
  });
}

const cachedChunks = (cache) => {
  const dir = join(cache, 'tts', 'chunks');
  return existsSync(dir) ? readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.audio')).length : 0;
};

const hours = (seconds) => `${Math.floor(seconds / 3600)} h ${String(Math.round((seconds % 3600) / 60)).padStart(2, '0')} min`;

/** The m4b as a player sees it: its length and chapter count, per ffprobe when it is installed. */
function probeM4b(path) {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_chapters', '-show_format', '-of', 'json', path], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  const json = JSON.parse(r.stdout);
  return { seconds: Number(json.format.duration), chapters: json.chapters.length };
}

/** The dry run of the 1 MB book, as a user runs it: the whole process, median of `runs`. */
async function dryRuns(book, env, runs) {
  const timings = [];
  let listed = 0;
  for (let i = 0; i < runs; i++) {
    const r = await runBin(['-f', book, '-o', join(tmpdir(), 'never-written.m4b'), '--dry-run', '--json'], env);
    if (r.code !== 0) throw new Error(`the dry run exited ${r.code}: ${r.stderr}`);
    timings.push(r);
    listed = JSON.parse(r.stdout).chunks.length;
  }
  timings.sort((a, b) => a.answerMs - b.answerMs);
  return { ...timings[Math.floor(runs / 2)], requests: listed };
}

/**
 * Interrupts a run (SIGINT, as Ctrl-C sends) once half the book's requests are in the cache and the
 * provider holds the rest, then runs the same command again: only what was not cached is sent.
 */
async function interruptAndResume(args, env, cache, total) {
  const held = { until: Math.floor(total / 2) };
  const provider = await startAdtsProvider({ gate: (n) => (n > held.until ? new Promise(() => {}) : undefined) });
  try {
    const runEnv = { ...env, OPENAI_BASE_URL: provider.url };
    const first = await runBin(args, runEnv, {
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (cachedChunks(cache) >= held.until) {
            clearInterval(poll);
            child.kill('SIGINT');
          }
        }, 20);
        child.on('exit', () => clearInterval(poll));
      },
    });
    const cached = cachedChunks(cache);
    held.until = Infinity;
    const before = provider.state.requests;
    const second = await runBin(args, runEnv);
    if (second.code !== 0) throw new Error(`the resumed run exited ${second.code}: ${second.stderr}`);
    return { interruptedCode: first.code, cached, sent: provider.state.requests - before, second };
  } finally {
    await provider.close();
  }
}

/**
 * The issue's scale targets, through the real bin: the 1 MB book's dry run; a whole run into an
 * m4b against a provider as fast as a local socket (ADTS AAC, 20 hours of it), its peak memory
 * beside that of a book a quarter its length (memory flat, not growing with the book); and Ctrl-C
 * halfway, then the same command, which sends only what the cache lacks.
 */
export async function benchWholeBook() {
  const home = mkdtempSync(join(tmpdir(), 'tts-bench-book-'));
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache'), OPENAI_API_KEY: 'bench', CI: '1' };
  const book = join(home, 'book.epub');
  const quarter = join(home, 'quarter.epub');
  writeFileSync(book, typicalBook());
  writeFileSync(quarter, makeBook(6));
  const rows = [];
  try {
    const dry = await dryRuns(book, env, 3);
    rows.push({ measure: `dry run of the 1 MB book (${dry.requests} requests), median of 3: answered`, value: `${dry.answerMs.toFixed(0)} ms`, target: '< 1000 ms', ok: dry.answerMs < 1000 });
    rows.push({ measure: '  the process, start to exit; its CPU time', value: `${dry.wallMs.toFixed(0)} ms`, target: `${dry.cpuMs.toFixed(0)} ms CPU` });

    const provider = await startAdtsProvider();
    const fast = { ...env, OPENAI_BASE_URL: provider.url };
    const small = await runBin(['-f', quarter, '-o', join(home, 'quarter.m4b'), '--no-cache'], fast);
    const base = provider.state.requests;
    const whole = await runBin(['-f', book, '-o', join(home, 'book.m4b'), '--no-cache'], fast, { progress: () => provider.state.requests - base });
    const audioMb = provider.state.bytes / 2 ** 20;
    await provider.close();
    for (const r of [small, whole]) if (r.code !== 0) throw new Error(`the whole run exited ${r.code}: ${r.stderr}`);
    const probed = probeM4b(join(home, 'book.m4b'));
    rows.push({ measure: `whole book into an m4b (${audioMb.toFixed(0)} MB of AAC)`, value: `${(whole.wallMs / 1000).toFixed(1)} s`, target: '' });
    if (probed) rows.push({ measure: '  the m4b, read back by ffprobe', value: hours(probed.seconds), target: `${probed.chapters} chapters`, ok: probed.chapters === 25 && probed.seconds > 19 * 3600 });
    rows.push({ measure: '  peak RSS', value: `${whole.peakMb.toFixed(0)} MB`, target: '< 200 MB', ok: whole.peakMb < 200 });
    const at = (share) => whole.samples.find((s) => s.progress >= share * dry.requests)?.rssMb ?? NaN;
    const [early, late] = [at(0.1), at(0.9)];
    rows.push({ measure: '  RSS as the audio streams: at 10 % and 90 % of requests', value: `${early.toFixed(0)}, ${late.toFixed(0)} MB`, target: 'flat (< +10 MB)', ok: late - early < 10 });
    rows.push({ measure: '  peak RSS for a quarter of the book', value: `${small.peakMb.toFixed(0)} MB`, target: '' });
    rmSync(join(home, 'book.m4b'));

    const resume = await interruptAndResume(['-f', book, '-o', join(home, 'book.m4b')], env, join(home, 'cache'), dry.requests);
    const expected = dry.requests - resume.cached;
    rows.push({ measure: `Ctrl-C halfway: exit code, requests cached`, value: `${resume.interruptedCode}, ${resume.cached}`, target: '130', ok: resume.interruptedCode === 130 });
    rows.push({ measure: '  the same command again: requests sent', value: `${resume.sent}`, target: `${expected} (the rest)`, ok: resume.sent === expected });
    rows.push({ measure: '  its wall time, peak RSS', value: `${(resume.second.wallMs / 1000).toFixed(1)} s`, target: `${resume.second.peakMb.toFixed(0)} MB` });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  return rows;
}
