import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FakeProvider, fakePcm, hang, sameBytes, speechReply } from '../helpers/fake-provider.js';
import { Sandbox, spawnTts, useFakeProvider } from '../helpers/run-tts.js';

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
    fake.fallback = hang();
    let pid = 0;
    const run = spawnTts(['A long wait.', '--play'], { env: env(), onSpawn: (p) => (pid = p) });
    while (fake.requests.length === 0) await new Promise((r) => setTimeout(r, 20));
    process.kill(pid, 'SIGINT');
    const r = await run;
    expect(r.code).toBe(130);
  });

  test('--no-play with nowhere else to write is a usage error', async () => {
    const r = await spawnTts(['Hi.', '--no-play'], { env: env() });
    // stdout is a pipe here, so the audio goes there; --no-play only matters on a terminal.
    expect(r.code).toBe(0);
    expect(existsSync(box.path('heard.wav'))).toBe(false);
  });
});

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
