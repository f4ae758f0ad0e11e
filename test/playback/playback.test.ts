import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { sniff } from '../../src/audio/sniff.js';
import { FakeProvider, fakePcm, sameBytes, speechReply } from '../helpers/fake-provider.js';
import { runTts, Sandbox, spawnTts, useFakeProvider } from '../helpers/run-tts.js';

let fake: FakeProvider;
let box: Sandbox;
useFakeProvider((f, b) => ((fake = f), (box = b)), speechReply());

/** The samples of a WAV recording: what follows its data chunk header. */
function samplesOf(wav: Buffer): Buffer {
  const at = wav.indexOf('data', 12, 'latin1');
  expect(at).toBeGreaterThan(0);
  return wav.subarray(at + 8);
}

/** ALSA's file plugin as the default sound card: whatever is played is recorded to `heard`. */
function recordingSoundCard(heard: string): void {
  writeFileSync(join(box.dir, '.asoundrc'), `pcm.!default {\n  type file\n  slave.pcm "null"\n  file "${heard}"\n  format "wav"\n}\n`);
}

/** A sound card that does not exist, as on a server or in a container. */
function missingSoundCard(): void {
  writeFileSync(join(box.dir, '.asoundrc'), 'pcm.!default {\n  type hw\n  card 97\n}\n');
}

/**
 * A PATH holding exactly the players a test intends: tts itself runs by absolute path, so an empty
 * folder means "no system player", whatever this machine has installed.
 */
function pathWith(players: Record<string, string> = {}): string {
  const bin = box.path('bin');
  mkdirSync(bin, { recursive: true });
  for (const [name, script] of Object.entries(players)) {
    writeFileSync(join(bin, name), script);
    chmodSync(join(bin, name), 0o755);
  }
  return bin;
}
const env = (path = pathWith()) => ({ ...box.env, PATH: path, OPENAI_API_KEY: 'k', OPENAI_BASE_URL: fake.url });

const TEXT = Array.from({ length: 40 }, (_, i) => `Sentence number ${i + 1} is spoken aloud.`).join(' ');

describe('playing to the speakers', () => {
  test('asks for pcm and plays every chunk, in order, through the speaker', async () => {
    const heard = box.path('heard.wav');
    recordingSoundCard(heard);
    const r = await spawnTts(['--play', '-c', '3', '-q'], { env: env(), stdin: TEXT });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(fake.requests.every((q) => q.body['response_format'] === 'pcm')).toBe(true);
    expect(fake.requests.length).toBeGreaterThan(1);
    const inOrder = [...fake.inputs()].sort((a, b) => TEXT.indexOf(a) - TEXT.indexOf(b));
    expect(sameBytes(samplesOf(readFileSync(heard)), Buffer.concat(inOrder.map((i) => fakePcm(i))))).toBe('same');
  });

  test('-o file --play does both from one request per chunk, the file encoded here', async () => {
    const heard = box.path('heard.wav');
    recordingSoundCard(heard);
    const out = box.path('both.flac');
    const r = await spawnTts(['--play', '-o', out], { env: env(), stdin: 'Both at once. Played and saved.' });
    expect(r.code).toBe(0);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.body['response_format']).toBe('pcm');
    expect(sameBytes(samplesOf(readFileSync(heard)), fakePcm('Both at once. Played and saved.'))).toBe('same');
    expect(readFileSync(out).toString('latin1', 0, 4)).toBe('fLaC');
  });

  test('playing never waits on stdin when the text is given as arguments (as at a terminal)', async () => {
    recordingSoundCard(box.path('heard.wav'));
    const r = await spawnTts(['Hello.', '--play', '-q'], { env: env(), keepStdinOpen: true });
    expect(r.code).toBe(0);
    expect(samplesOf(readFileSync(box.path('heard.wav'))).length).toBe(fakePcm('Hello.').length);
  });

  test('with no usable sound device: a clear message and exit 5, never a crash', async () => {
    missingSoundCard();
    const r = await spawnTts(['Hello.', '--play'], { env: env() });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/No way to play sound here \(speaker: was killed by SIGABRT \(no usable sound device\)\)/);
    expect(r.stderr).toMatch(/-o speech\.mp3/);
  });

  test('falls back to a player found on the system, replaying what the speaker was sent', async () => {
    missingSoundCard();
    const captured = box.path('captured.wav');
    const r = await spawnTts(['--play'], { env: env(pathWith({ aplay: `#!/bin/sh\nexec /bin/cat > "${captured}"\n` })), stdin: TEXT });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Played through aplay.');
    const inOrder = [...fake.inputs()].sort((a, b) => TEXT.indexOf(a) - TEXT.indexOf(b));
    expect(sameBytes(samplesOf(readFileSync(captured)), Buffer.concat(inOrder.map((i) => fakePcm(i))))).toBe('same');
  });

  test('a player that dies while audio is being written: the next one gets every byte exactly once', async () => {
    missingSoundCard();
    const captured = box.path('captured.wav');
    const players = {
      // Reads a little, then fails mid-stream, as a player that loses its device would.
      paplay: '#!/bin/sh\n/usr/bin/head -c 3000 > /dev/null\nexit 1\n',
      aplay: `#!/bin/sh\nexec /bin/cat > "${captured}"\n`,
    };
    const long = Array.from({ length: 120 }, (_, i) => `Sentence number ${i + 1} is spoken aloud.`).join(' ');
    const r = await spawnTts(['--play', '-c', '1'], { env: env(pathWith(players)), stdin: long });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Played through aplay.');
    const inOrder = [...fake.inputs()].sort((a, b) => long.indexOf(a) - long.indexOf(b));
    expect(sameBytes(samplesOf(readFileSync(captured)), Buffer.concat(inOrder.map((i) => fakePcm(i))))).toBe('same');
  });

  test('Ctrl-C stops the sound at once: exit 130, the player gone', async () => {
    const heard = box.path('heard.wav');
    recordingSoundCard(heard);
    // Ten seconds of audio, sent at once, on a response that never ends: the player is busy playing.
    fake.fallback = (_req, res) => {
      res.writeHead(200, { 'content-type': 'audio/pcm' });
      res.write(fakePcm('x'.repeat(10_000)));
    };
    let pid = 0;
    const run = spawnTts(['A long wait.', '--play'], { env: env(), onSpawn: (p) => (pid = p) });
    const players = await waitFor(() => {
      const children = childrenOf(pid);
      return children.length > 0 && existsSync(heard) && statSync(heard).size > 44 ? children : undefined;
    }, 25_000);
    const sent = Date.now();
    process.kill(pid, 'SIGINT');
    const r = await run;
    expect(r.code).toBe(130);
    expect(Date.now() - sent).toBeLessThan(2000);
    expect(r.stderr).toMatch(/interrupted/);
    // The player was killed, not left to play what it had been sent.
    expect(players.filter((child) => existsSync(`/proc/${child}`))).toEqual([]);
    // Starting a player on a busy machine can take a while; stopping it may not.
  }, 40_000);

  test('--no-play with nowhere else to write is a usage error', async () => {
    const r = await runTts(['Hi.', '--no-play'], { env: env(), stdoutIsTTY: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/With --no-play, say where the audio goes/);
    expect(fake.requests).toHaveLength(0);
  });

  test('--no-play with stdout a pipe: the audio goes down the pipe, and nothing is played', async () => {
    const heard = box.path('heard.wav');
    recordingSoundCard(heard);
    const r = await spawnTts(['Hi.', '--no-play'], { env: env() });
    expect(r.code).toBe(0);
    expect(sniff(r.stdout)).toEqual({ kind: 'audio', container: 'mp3' });
    expect(existsSync(heard)).toBe(false);
  });
});

/** The processes whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('the built-in voice plays too, with nothing configured', async () => {
  const heard = box.path('heard.wav');
  recordingSoundCard(heard);
  // stdout is a pipe under test, so --play says what a terminal would imply.
  const played = await spawnTts(['Hello from the built-in voice.', '--play'], { env: { ...box.env, PATH: pathWith() } });
  expect(played.code).toBe(0);
  const samples = samplesOf(readFileSync(heard));
  expect(samples.length / 2 / 24_000).toBeGreaterThan(1);
  let sum = 0;
  for (let i = 0; i + 1 < samples.length; i += 2) sum += samples.readInt16LE(i) ** 2;
  expect(Math.sqrt(sum / (samples.length / 2))).toBeGreaterThan(500);
});
