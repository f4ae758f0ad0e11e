import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { decode, probe, requireTool } from '../helpers/audio-tools.js';
import { runTts, Sandbox } from '../helpers/run-tts.js';

let box: Sandbox;
beforeEach(() => {
  box = new Sandbox();
});
afterEach(() => box.cleanup());

/** Root mean square of s16le samples: speech is loud, silence is near zero. */
function rms(pcm: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < pcm.length; i += 2) sum += pcm.readInt16LE(i) ** 2;
  return Math.sqrt(sum / Math.max(1, pcm.length / 2));
}

const SENTENCE = 'The built-in voice speaks on a fresh machine, offline, with no key at all.';

describe('the built-in offline voice', () => {
  test('speaks on a fresh machine with nothing configured, and says how to configure a provider', async () => {
    const out = box.path('hello.wav');
    const r = await runTts([SENTENCE, '-o', out], { env: box.env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/built-in offline voice.*OPENAI_API_KEY.*tts config set openai\.apiKey/);
    expect(r.stderr.split('\n').filter((l) => l.includes('OPENAI_API_KEY'))).toHaveLength(1);
    const wav = readFileSync(out);
    expect(wav.readUInt32LE(24)).toBe(24_000);
    const samples = wav.subarray(44);
    // About 13 words a sentence: several seconds of speech, not a blip, not silence.
    expect(samples.length / 2 / 24_000).toBeGreaterThan(3);
    expect(samples.length / 2 / 24_000).toBeLessThan(12);
    expect(rms(samples)).toBeGreaterThan(500);
  });

  test.each(['mp3', 'opus', 'flac', 'pcm'])('makes %s too, and it decodes to speech', async (format) => {
    requireTool('ffmpeg');
    const out = box.path(`hello.${format === 'opus' ? 'ogg' : format}`);
    expect((await runTts([SENTENCE, '-p', 'local', '-o', out], { env: box.env })).code).toBe(0);
    const pcm = format === 'pcm' ? readFileSync(out) : decode(out, 24_000);
    expect(pcm.length / 2 / 24_000).toBeGreaterThan(3);
    expect(rms(pcm)).toBeGreaterThan(500);
    // Opus always decodes at 48 kHz; the others keep the voice's 24 kHz.
    if (format !== 'pcm') expect(probe(out).sampleRate).toBe(format === 'opus' ? 48_000 : 24_000);
  });

  test('--speed changes the pace', async () => {
    await runTts([SENTENCE, '-o', box.path('normal.wav')], { env: box.env });
    await runTts([SENTENCE, '-o', box.path('fast.wav'), '-s', '2'], { env: box.env });
    const normal = readFileSync(box.path('normal.wav')).length;
    const fast = readFileSync(box.path('fast.wav')).length;
    expect(fast / normal).toBeGreaterThan(0.35);
    expect(fast / normal).toBeLessThan(0.7);
  });

  test('--voice picks an eSpeak voice; one it does not have is refused, with no file', async () => {
    expect((await runTts(['Guten Tag, wie geht es Ihnen heute?', '-v', 'de', '-o', box.path('de.wav')], { env: box.env })).code).toBe(0);
    expect(rms(readFileSync(box.path('de.wav')).subarray(44))).toBeGreaterThan(500);
    const bad = await runTts(['Hello.', '-v', 'vulcan', '-o', box.path('bad.wav')], { env: box.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/cannot speak as "vulcan": there is no voice or language "vulcan"/);
    expect(existsSync(box.path('bad.wav'))).toBe(false);
  });

  test('long text is chunked and joined like any provider', async () => {
    const text = Array.from({ length: 60 }, (_, i) => `This is sentence number ${i + 1} of a longer text.`).join(' ');
    const r = await runTts(['-o', box.path('long.wav')], { env: box.env, stdin: text });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/long\.wav: \d+:\d\d of wav, .* · 2 chunks, /);
    const samples = readFileSync(box.path('long.wav')).subarray(44);
    expect(samples.length / 2 / 24_000).toBeGreaterThan(60);
  });

  test('a named provider without a key is still exit 3, never a silent fallback', async () => {
    const r = await runTts(['Hello.', '-p', 'openai', '-o', box.path('x.wav')], { env: box.env });
    expect(r.code).toBe(3);
    expect(existsSync(box.path('x.wav'))).toBe(false);
  });

  test('a configured key means that provider, not the built-in voice', async () => {
    const r = await runTts(['Hello.', '-o', box.path('x.wav'), '--timeout', '1', '--retries', '0'], { env: { ...box.env, OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'http://127.0.0.1:9' } });
    expect(r.code).toBe(4);
    expect(r.stderr).not.toMatch(/built-in/);
  });
});
