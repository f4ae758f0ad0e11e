import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { wavHeader } from '../../src/audio/wav.js';
import { createAligner } from '../../src/align/create-aligner.js';
import { score, speakRequest, type SpokenRequest } from '../../bench/align-corpus.js';
import { requireTool } from '../helpers/audio-tools.js';

let dir: string;
let request: SpokenRequest;
beforeAll(async () => {
  requireTool('flite');
  requireTool('sox');
  dir = mkdtempSync(join(tmpdir(), 'tts-aligner-'));
  request = await speakRequest(['The river carried small boats.', 'Note 7: the results were mixed.', 'Is it true?'], { voice: 'kal', seed: 1 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the aligner (a worker thread)', () => {
  test('times a request given as samples, as bytes, as a raw PCM file or as a WAV file, alike and right', async () => {
    const aligner = createAligner();
    try {
      const raw = join(dir, 'request.pcm');
      const wav = join(dir, 'request.wav');
      writeFileSync(raw, request.pcm);
      writeFileSync(wav, Buffer.concat([wavHeader({ formatTag: 1, channels: 1, sampleRate: 24_000, bitsPerSample: 16 }, request.pcm.length), request.pcm]));
      const fromBytes = await aligner.align({ pcm: new Uint8Array(request.pcm), cues: request.cues });
      expect(score(fromBytes, request).misses).toEqual([]);
      const samples = new Int16Array(request.pcm.buffer.slice(request.pcm.byteOffset, request.pcm.byteOffset + request.pcm.length));
      expect(await aligner.align({ pcm: samples, cues: request.cues })).toEqual(fromBytes);
      expect(await aligner.align({ pcm: raw, cues: request.cues })).toEqual(fromBytes);
      expect(await aligner.align({ pcm: wav, cues: request.cues })).toEqual(fromBytes);
    } finally {
      await aligner.close();
    }
  }, 60_000);

  test('jobs wait their turn; each gets its own answer', async () => {
    const aligner = createAligner();
    try {
      const shorter = request.cues.slice(0, 2).map((c, k) => ({ ...c, endsSentence: k === 1 }));
      const [a, b, c] = await Promise.all([
        aligner.align({ pcm: request.pcm, cues: request.cues }),
        aligner.align({ pcm: request.pcm, cues: shorter }),
        aligner.align({ pcm: request.pcm, cues: request.cues.slice(0, 1) }),
      ]);
      expect([a!.length, b!.length, c!.length]).toEqual([3, 2, 1]);
    } finally {
      await aligner.close();
    }
  }, 60_000);

  test('aborting a waiting job drops it, aborting the running one ends it, and later jobs still run', async () => {
    const aligner = createAligner();
    try {
      const running = new AbortController();
      const waiting = new AbortController();
      const first = aligner.align({ pcm: request.pcm, cues: request.cues }, { signal: running.signal });
      const second = aligner.align({ pcm: request.pcm, cues: request.cues }, { signal: waiting.signal });
      const third = aligner.align({ pcm: request.pcm, cues: request.cues });
      waiting.abort();
      await expect(second).rejects.toMatchObject({ name: 'InterruptedError' });
      running.abort();
      await expect(first).rejects.toMatchObject({ name: 'InterruptedError' });
      expect(score(await third, request).misses).toEqual([]);
      await expect(aligner.align({ pcm: request.pcm, cues: request.cues }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'InterruptedError' });
    } finally {
      await aligner.close();
    }
  }, 60_000);

  test('a voice eSpeak does not have is a usage error; a closed aligner takes no jobs', async () => {
    const aligner = createAligner({ voice: 'vulcan' });
    await expect(aligner.align({ pcm: request.pcm, cues: request.cues })).rejects.toMatchObject({ name: 'UsageError', message: expect.stringMatching(/vulcan/) });
    await aligner.close();
    await expect(aligner.align({ pcm: request.pcm, cues: request.cues })).rejects.toMatchObject({ name: 'AudioError', message: expect.stringMatching(/closed/) });
  }, 60_000);

  test('audio that is not 16-bit mono is refused with a clear message', async () => {
    const aligner = createAligner();
    try {
      const stereo = join(dir, 'stereo.wav');
      writeFileSync(stereo, Buffer.concat([wavHeader({ formatTag: 1, channels: 2, sampleRate: 24_000, bitsPerSample: 16 }, 4800), Buffer.alloc(4800)]));
      await expect(aligner.align({ pcm: stereo, cues: request.cues })).rejects.toMatchObject({ name: 'AudioError', message: expect.stringMatching(/16-bit mono/) });
    } finally {
      await aligner.close();
    }
  }, 60_000);
});
