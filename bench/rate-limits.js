import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHUNK_MARGIN } from '../dist/speak/speak.js';
import { chunkText } from '../dist/text/chunk-text.js';
import { prose } from './pipeline.js';

/** Another build's bin may be measured the same way: RATE_BENCH_BIN=/path/to/bin/tts.js. */
const BIN = process.env.RATE_BENCH_BIN ?? fileURLToPath(new URL('../bin/tts.js', import.meta.url));

/** Each request: 150 ms to the first byte, then 0.05 ms a character (a 4,000-character chunk: 350 ms). */
const MODEL = { ttfbMs: 150, msPerChar: 0.05, bytesPerChar: 24 };
/** The quota of the measurement: 6 requests per 3 s. */
const QUOTA = { requests: 6, windowMs: 3000 };
const CHUNKS = 35;

const goDuration = (ms) => `${(Math.max(0, ms) / 1000).toFixed(3)}s`;
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * A speech provider on 127.0.0.1 that enforces limits as real ones do: a quota of N requests per
 * fixed window (from the first request), counted on arrival, with or without OpenAI's x-ratelimit
 * headers (and never a retry-after); and/or a cap on requests in flight (LiteLLM's
 * max_parallel_requests), answered with a bare 429 past it.
 */
export async function startLimitedProvider({ model = MODEL, quota, headers = false, parallelCap }) {
  const stats = { arrivals: [], accepted: 0, refused: 0, active: 0, mostActive: 0 };
  let windowStart;
  const used = new Map();
  const server = createServer(async (req, res) => {
    const now = performance.now();
    stats.arrivals.push(now);
    windowStart ??= now;
    const window = quota ? Math.floor((now - windowStart) / quota.windowMs) : 0;
    const resetMs = quota ? windowStart + (window + 1) * quota.windowMs - now : 0;
    const rateHeaders = (remaining) => (quota && headers ? { 'x-ratelimit-limit-requests': String(quota.requests), 'x-ratelimit-remaining-requests': String(remaining), 'x-ratelimit-reset-requests': goDuration(resetMs) } : {});
    let body = '';
    for await (const part of req) body += part;
    const refuse = (message) => {
      stats.refused++;
      res.writeHead(429, { 'content-type': 'application/json', ...rateHeaders(0) });
      res.end(JSON.stringify({ error: { message, type: 'requests', code: 'rate_limit_exceeded' } }));
    };
    if (parallelCap !== undefined && stats.active >= parallelCap) return refuse('Max parallel request limit reached');
    if (quota && (used.get(window) ?? 0) >= quota.requests) return refuse('Rate limit reached for requests');
    if (quota) used.set(window, (used.get(window) ?? 0) + 1);
    stats.accepted++;
    stats.active++;
    stats.mostActive = Math.max(stats.mostActive, stats.active);
    res.on('close', () => stats.active--);
    const chars = [...JSON.parse(body).input].length;
    await pause(model.ttfbMs);
    res.writeHead(200, { 'content-type': 'audio/pcm', ...rateHeaders(quota ? quota.requests - used.get(window) : 0) });
    // The audio in ten pieces, spread over the time the model takes to speak it.
    const total = Math.floor((chars * model.bytesPerChar) / 2) * 2;
    const piece = Math.ceil(total / 10 / 2) * 2;
    for (let sent = 0; sent < total; sent += piece) {
      res.write(Buffer.alloc(Math.min(piece, total - sent), 3));
      await pause((piece / total) * chars * model.msPerChar);
    }
    res.end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stats,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))),
  };
}

/**
 * The best any client could do: chunks in order, each on the first free of `lanes` lanes, no earlier
 * than the quota's window with room left (windows from the first request, as the server counts).
 */
export function idealMs(chunks, { lanes, quota, model = MODEL }) {
  const free = Array(lanes).fill(0);
  const used = new Map();
  let end = 0;
  for (const chunk of chunks) {
    const lane = free.indexOf(Math.min(...free));
    let start = free[lane];
    if (quota) {
      let window = Math.floor(start / quota.windowMs);
      while ((used.get(window) ?? 0) >= quota.requests) window++;
      used.set(window, (used.get(window) ?? 0) + 1);
      start = Math.max(start, window * quota.windowMs);
    }
    free[lane] = start + model.ttfbMs + [...chunk.text].length * model.msPerChar;
    end = Math.max(end, free[lane]);
  }
  return end;
}

function runBin(args, text, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, endedAt: performance.now() }));
    child.stdin.end(text);
  });
}

/** One limit kind through the real bin: wall time from the first request to exit, and what was refused. */
async function throughBin({ home, env, text, plan, concurrency, quota, headers, parallelCap }) {
  const provider = await startLimitedProvider({ quota, headers, parallelCap });
  try {
    const run = await runBin(['-o', join(home, 'out.pcm'), '-c', String(concurrency), '--no-cache', '--base-url', provider.url], text, env);
    const ideal = idealMs(plan, { lanes: Math.min(concurrency, parallelCap ?? concurrency), quota });
    return { ...run, stats: provider.stats, ratio: (run.endedAt - provider.stats.arrivals[0]) / ideal, ideal, wall: run.endedAt - provider.stats.arrivals[0] };
  } finally {
    await provider.close();
  }
}

/**
 * Five files through the real batch path: `-f` with five paths, `-o folder/`, one scheduler and one
 * quota for all of them. Every output must be written whole for the run to count.
 */
async function fiveFiles({ home, env, texts, concurrency }) {
  const inputs = await Promise.all(texts.map(async (text, i) => {
    const path = join(home, `part-${i + 1}.txt`);
    await writeFile(path, text);
    return path;
  }));
  const folder = join(home, 'five');
  await rm(folder, { recursive: true, force: true });
  const provider = await startLimitedProvider({ quota: QUOTA, headers: true });
  try {
    const args = ['-f', ...inputs, '-o', `${folder}/`, '-F', 'pcm', '-c', String(concurrency), '--no-cache', '--base-url', provider.url];
    const run = await runBin(args, '', env);
    const plans = texts.map((text) => chunkText(text, { maxChars: 4096 - CHUNK_MARGIN }));
    const written = await Promise.all(inputs.map((input, i) => outputBytes(join(folder, `${basename(input, '.txt')}.pcm`)).then((bytes) => bytes === expectedBytes(plans[i]))));
    const ideal = idealMs(plans.flat(), { lanes: concurrency, quota: QUOTA });
    const wall = run.endedAt - provider.stats.arrivals[0];
    return { ...run, stats: provider.stats, ideal, wall, ratio: wall / ideal, chunks: plans.flat().length, whole: written.filter(Boolean).length };
  } finally {
    await provider.close();
  }
}

const outputBytes = (path) => stat(path).then((s) => s.size, () => -1);
/** What the provider sends for a plan, as pcm: every chunk's audio, joined at sample level. */
const expectedBytes = (plan) => plan.reduce((n, chunk) => n + Math.floor(([...chunk.text].length * MODEL.bytesPerChar) / 2) * 2, 0);

/** One long text cut at paragraph ends into `count` files of `chunksEach` chunks at most: no two alike, so none is served from another. */
function proseFiles(count, chunksEach) {
  for (let chars = count * chunksEach * 4000; ; chars -= 1000) {
    const paragraphs = prose(chars).split('\n\n');
    const each = Math.ceil(paragraphs.length / count);
    const texts = Array.from({ length: count }, (_, i) => paragraphs.slice(i * each, (i + 1) * each).join('\n\n').trim());
    if (texts.every((text) => chunkText(text, { maxChars: 4096 - CHUNK_MARGIN }).length <= chunksEach)) return texts;
  }
}

/** Prose that the planner cuts into `count` chunks. */
function proseOfChunks(count) {
  for (let chars = count * 4000; ; chars -= 500) {
    const text = prose(chars);
    const plan = chunkText(text, { maxChars: 4096 - CHUNK_MARGIN });
    if (plan.length <= count) return { text, plan };
  }
}

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
const share = (stats) => stats.refused / (stats.refused + stats.accepted);
const percent = (x) => `${(100 * x).toFixed(1)} %`;

export async function benchRateLimits() {
  const home = await mkdtemp(join(tmpdir(), 'tts-bench-rate-'));
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache'), OPENAI_API_KEY: 'bench', CI: '1' };
  const { text, plan } = proseOfChunks(CHUNKS);
  const rows = [];
  const fail = (r) => (r.code === 0 ? '' : ` (exit ${r.code}: ${r.stderr.trim().split('\n')[0]})`);
  try {
    const quota = `${QUOTA.requests} per ${QUOTA.windowMs / 1000} s`;
    const a = await throughBin({ home, env, text, plan, concurrency: 4, quota: QUOTA, headers: true });
    rows.push({ measure: `quota ${quota}, x-ratelimit headers, ${plan.length} chunks, -c 4 (ideal ${seconds(a.ideal)})`, value: seconds(a.wall), target: fail(a) });
    rows.push({ measure: '  over the quota-optimal schedule', value: `${a.ratio.toFixed(2)}x`, target: '<= 1.1x', ok: a.code === 0 && a.ratio <= 1.1 });
    rows.push({ measure: `  refused: ${a.stats.refused} of ${a.stats.refused + a.stats.accepted} requests`, value: percent(share(a.stats)), target: '< 10 %', ok: share(a.stats) < 0.1 });

    const b = await throughBin({ home, env, text, plan, concurrency: 4, quota: QUOTA, headers: false });
    rows.push({ measure: `quota ${quota}, no headers, no retry-after (ideal ${seconds(b.ideal)})`, value: seconds(b.wall), target: fail(b) });
    rows.push({ measure: '  over the quota-optimal schedule', value: `${b.ratio.toFixed(2)}x`, target: '<= 1.5x', ok: b.code === 0 && b.ratio <= 1.5 });
    rows.push({ measure: `  refused: ${b.stats.refused} of ${b.stats.refused + b.stats.accepted} requests`, value: percent(share(b.stats)), target: '' });

    const c = await throughBin({ home, env, text, plan, concurrency: 8, parallelCap: 2 });
    rows.push({ measure: `parallel cap of 2 under -c 8 (two-lane ideal ${seconds(c.ideal)})`, value: seconds(c.wall), target: fail(c) });
    rows.push({ measure: '  over the two-lane ideal', value: `${c.ratio.toFixed(2)}x`, target: '<= 1.2x', ok: c.code === 0 && c.ratio <= 1.2 });
    rows.push({ measure: `  refused: ${c.stats.refused} of ${c.stats.refused + c.stats.accepted} requests`, value: percent(share(c.stats)), target: '' });

    const texts = proseFiles(5, CHUNKS / 5);
    const d = await fiveFiles({ home, env, texts, concurrency: 4 });
    rows.push({ measure: `five files (-f x5 -o folder/), ${d.chunks} chunks, one quota of ${quota} (ideal ${seconds(d.ideal)})`, value: seconds(d.wall), target: fail(d) });
    rows.push({ measure: '  over the optimal schedule for all chunks', value: `${d.ratio.toFixed(2)}x`, target: '<= 1.2x', ok: d.code === 0 && d.ratio <= 1.2 });
    rows.push({ measure: `  outputs written whole`, value: `${d.whole} of 5`, target: '5 of 5', ok: d.whole === 5 });
    rows.push({ measure: `  refused: ${d.stats.refused} of ${d.stats.refused + d.stats.accepted} requests`, value: percent(share(d.stats)), target: '' });
  } finally {
    await rm(home, { recursive: true, force: true });
  }
  return rows;
}
