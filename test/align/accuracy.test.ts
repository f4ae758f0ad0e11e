import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAligner, type Aligner } from '../../src/align/create-aligner.js';
import { frameLevels, levelScale } from '../../src/align/levels.js';
import { quietRuns } from '../../src/align/pauses.js';
import { s16leToSignal } from '../../src/align/pcm.js';
import { pickSentences, random, score, speakRequest, type Kind, type SpeakOptions, type SpokenRequest } from '../../bench/align-corpus.js';
import { requireTool } from '../helpers/audio-tools.js';

/*
 * Real speech that is not eSpeak: flite speaks each sentence alone, the sentences are joined with
 * pauses of known length, and every cue change between two sentences must fall in the pause
 * between them (or at most 120 ms into either sentence's sound). `npm run bench` runs a larger
 * corpus of the same kinds.
 */

let aligner: Aligner;
beforeAll(() => {
  requireTool('flite');
  requireTool('sox');
  aligner = createAligner();
});
afterAll(() => aligner.close());

async function timed(kinds: Kind[], count: number, options: SpeakOptions): Promise<{ request: SpokenRequest; times: { start: number; end: number }[] }> {
  const request = await speakRequest(pickSentences(kinds, count, random(options.seed ?? 1)), options);
  const times = await aligner.align({ pcm: request.pcm, cues: request.cues });
  expect(times).toHaveLength(request.cues.length);
  return { request, times };
}

/** At most 2 % of sentence changes outside their pause; the misses are shown if there are more. */
function expectAccurate(request: SpokenRequest, times: { start: number; end: number }[]): void {
  const result = score(times, request);
  expect(result.sentenceChanges).toBe(request.truth.length - 1);
  expect(result.misses.length <= Math.floor(0.02 * result.sentenceChanges) ? [] : result.misses).toEqual([]);
  expect(result.clauseMisses).toBe(0);
  expect(result.edgeMisses).toBe(0);
}

const TIMEOUT = 120_000;

describe('subtitle timing on speech from another engine', () => {
  test.each<[string, Kind[], number, SpeakOptions]>([
    ['plain prose (slt)', ['prose'], 25, { voice: 'slt', seed: 1 }],
    ['headings, list items and questions, slower than eSpeak (rms)', ['heading', 'question', 'prose'], 25, { voice: 'rms', stretch: 1.35, seed: 2 }],
    ['numbers and abbreviations, faster than eSpeak (awb)', ['numbers', 'question', 'prose'], 25, { voice: 'awb', stretch: 0.75, seed: 3 }],
    ['long sentences cut into clause cues, over background noise (slt)', ['long', 'prose'], 24, { voice: 'slt', noiseDb: -45, seed: 4 }],
    ['labels with clicks in the pauses and noise (awb)', ['label', 'heading', 'prose'], 25, { voice: 'awb', colonPauses: [0.4, 0.8], blips: 0.3, noiseDb: -50, seed: 5 }],
  ])('%s', async (_, kinds, count, options) => {
    const { request, times } = await timed(kinds, count, options);
    expectAccurate(request, times);
  }, TIMEOUT);

  test('"Label 12: …" sentences, paused after longer than between sentences, where pauses and lengths alone fail (kal)', async () => {
    const { request, times } = await timed(['label', 'prose'], 30, { voice: 'kal', pauses: [0.15, 0.35], colonPauses: [0.45, 0.9], seed: 6 });
    expectAccurate(request, times);
    // The same speech timed the naive way goes wrong often: this corpus can tell the difference.
    const naive = score(byPausesAndLengths(request), request);
    expect(naive.misses.length / naive.sentenceChanges).toBeGreaterThan(0.15);
  }, TIMEOUT);

  test('one request of 64 sentences (kal)', async () => {
    const { request, times } = await timed(['prose', 'label', 'question', 'heading', 'numbers'], 64, { voice: 'kal', pauses: [0.15, 0.5], seed: 7 });
    expectAccurate(request, times);
  }, TIMEOUT);

  test.each<[number, SpeakOptions]>([
    [1, { voice: 'rms', seed: 8 }],
    [2, { voice: 'slt', seed: 9 }],
  ])('a request of %i sentence(s)', async (count, options) => {
    const { request, times } = await timed(['prose', 'label'], count, options);
    expectAccurate(request, times);
  }, TIMEOUT);
});

/**
 * The naive way, for comparison: cues spread over the speech by their length in characters, each
 * change moved to the nearest pause.
 */
function byPausesAndLengths(request: SpokenRequest): { start: number; end: number }[] {
  const signal = s16leToSignal(request.pcm, 24_000);
  const levels = frameLevels(signal, 0.01);
  const pauses = quietRuns(levels, { quiet: levelScale(levels).quiet, hopSeconds: 0.01, minSeconds: 0.04 });
  const start = pauses[0]?.start === 0 ? pauses[0].end : 0;
  const end = pauses.at(-1)?.start ?? request.seconds;
  const total = request.cues.reduce((sum, c) => sum + c.text.length, 0);
  let chars = 0;
  let at = start;
  return request.cues.map((cue) => {
    chars += cue.text.length;
    const guess = start + ((end - start) * chars) / total;
    const nearest = pauses.reduce((a, b) => (Math.abs((b.start + b.end) / 2 - guess) < Math.abs((a.start + a.end) / 2 - guess) ? b : a));
    const change = (nearest.start + nearest.end) / 2;
    const time = { start: at, end: change };
    at = change;
    return time;
  });
}
