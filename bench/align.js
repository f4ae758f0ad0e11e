import { createAligner } from '../dist/align/create-aligner.js';
import { pickSentences, random, score, speakRequest } from './align-corpus.js';

/**
 * A grid of requests as the pipeline sends them (about 4000 characters each), from flite's four
 * voices, slower and faster than eSpeak, with labels that pause longer than sentences do, clicks in
 * pauses, and background noise.
 */
const GRID = [
  { kinds: ['prose'], voice: 'slt' },
  { kinds: ['label', 'prose'], voice: 'kal', pauses: [0.15, 0.35], colonPauses: [0.45, 0.9] },
  { kinds: ['heading', 'question', 'prose'], voice: 'rms', stretch: 1.35 },
  { kinds: ['numbers', 'question', 'prose'], voice: 'awb', stretch: 0.75 },
  { kinds: ['long', 'prose'], voice: 'slt', noiseDb: -45 },
  { kinds: ['label', 'heading', 'prose'], voice: 'awb', colonPauses: [0.4, 0.8], blips: 0.3, noiseDb: -50 },
  { kinds: ['prose', 'label', 'numbers'], voice: 'rms', stretch: 0.8, pauses: [0.12, 0.3] },
  { kinds: ['prose', 'question', 'long'], voice: 'kal', stretch: 1.25, noiseDb: -42 },
];

/** Sentences until the request holds about `chars` characters. */
function requestText(kinds, chars, rand) {
  const sentences = [];
  while (sentences.join(' ').length < chars) sentences.push(...pickSentences(kinds, 1, rand));
  return sentences;
}

/** CPU seconds (every thread of this process: the aligner's worker too) to time `corpus`. */
async function timeCorpus(corpus) {
  const aligner = createAligner();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const results = [];
  for (const request of corpus) results.push(score(await aligner.align({ pcm: request.pcm, cues: request.cues }), request));
  const used = process.cpuUsage(cpu);
  await aligner.close();
  const audio = corpus.reduce((sum, r) => sum + r.seconds, 0);
  return { results, audio, cpu: (used.user + used.system) / 1e6, wall: (performance.now() - started) / 1000 };
}

/**
 * CPU seconds per hour of audio, from the worker's start and eSpeak's loading to the last answer,
 * and the share of sentence changes inside their pause; then the cost again for requests of two
 * sentences each (a dialogue), where what a request costs besides its audio shows. Speech is made
 * first, so its cost is not counted.
 */
export async function benchAlign({ requests = GRID.length * 2, chars = 4000, short = 40 } = {}) {
  const corpus = [];
  for (let i = 0; i < requests; i++) {
    const condition = GRID[i % GRID.length];
    corpus.push(await speakRequest(requestText(condition.kinds, chars, random(500 + i)), { ...condition, seed: i + 1 }));
  }
  const dialogue = [];
  for (let i = 0; i < short; i++) dialogue.push(await speakRequest(pickSentences(['prose', 'question', 'label'], 2, random(800 + i)), { voice: 'kal', seed: i + 1 }));
  const long = await timeCorpus(corpus);
  const lines = await timeCorpus(dialogue);
  const perHour = (run) => (run.cpu / run.audio) * 3600;
  const changes = long.results.reduce((sum, r) => sum + r.sentenceChanges, 0);
  const misses = long.results.reduce((sum, r) => sum + r.misses.length, 0);
  const share = (changes - misses) / changes;
  return [
    { measure: `corpus: ${requests} requests of ~${chars} characters`, value: `${(long.audio / 60).toFixed(0)} min`, target: '' },
    { measure: '  CPU seconds per hour of audio', value: `${perHour(long).toFixed(1)} s`, target: '< 72 s', ok: perHour(long) < 72 },
    { measure: '  wall time for it', value: `${long.wall.toFixed(1)} s`, target: '' },
    { measure: `  sentence changes inside their pause (${changes - misses}/${changes})`, value: `${(share * 100).toFixed(1)} %`, target: '≥ 98 %', ok: share >= 0.98 },
    { measure: `  CPU per hour, ${short} requests of 2 sentences`, value: `${perHour(lines).toFixed(1)} s`, target: '' },
  ];
}
