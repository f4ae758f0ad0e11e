// Speech with known sentence places, for the subtitle aligner's accuracy: flite (not the eSpeak
// voice the aligner uses as its reference) speaks one sentence at a time; each sentence's first and
// last sound are measured in its own file, then the sentences are joined with pauses of chosen
// lengths, resampled to 24 kHz and, if asked, mixed with background noise. Used by
// test/align/accuracy.test.ts and by `npm run bench`.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Sentences by kind; each kind is a way a naive aligner goes wrong. */
export const SENTENCES = {
  prose: [
    'The river carried small boats past the old houses.',
    'Children watched from the bridges as the sun went down.',
    'Nobody in the village remembered a winter quite so long.',
    'She opened the window and listened to the rain.',
    'By morning the roads were covered in a thin layer of ice.',
    'The baker had been up since four, as he was every day.',
    'A dog barked somewhere far away.',
    'He folded the letter twice and put it in his coat.',
    'The train was late again, and the platform was crowded.',
    'They walked along the shore without saying a word.',
    'It was the kind of silence that makes you hear your own heart.',
    'Her grandmother kept every photograph in a tin box.',
    'The market opened at dawn and closed before noon.',
    'Most of the lamps in the street had gone out.',
    'We found the key under a stone by the gate.',
    'The teacher wrote one word on the board and waited.',
    'Snow fell quietly on the empty square.',
    'His brother had never liked the sea.',
    'The clock in the hall struck seven.',
    'Somewhere a radio was playing an old song.',
  ],
  label: [
    'Label 12: keep the lid closed while it cools.',
    'Step 3: turn the valve slowly to the left.',
    'Note 7: the results were mixed.',
    'Warning: the floor is wet near the door.',
    'Item 40: two boxes of nails.',
    'Rule 5: nobody leaves before the bell.',
    'Figure 9: the river in spring.',
    'Question 14: what is the capital of Peru?',
    'Tip: save your work often.',
    'Chapter 2: the long road north.',
  ],
  heading: [
    'Introduction.',
    'Getting started.',
    'Results and discussion.',
    'Apples.',
    'Part one.',
    'Summary.',
    'First steps.',
    'Background.',
    'Conclusions.',
    'Further reading.',
  ],
  question: [
    'Where did the river go?',
    'Have you ever seen the sea in winter?',
    'Why would anyone build a house so far from town?',
    'Is it true?',
    'What time does the last train leave?',
    'Could you open the door, please?',
    'Who told you that?',
    'Are we nearly there yet?',
  ],
  numbers: [
    'Dr. Smith paid $3.50 for the ticket on Jan. 5th.',
    'The population grew to 331 million by 2020.',
    'Mix 250 grams of flour with 2 eggs.',
    'The meeting is at 10:30 a.m. on the 3rd floor.',
    'Mr. Brown lives at 42 Elm St. near the U.S. border.',
    'About 15% of the 1,200 tickets were sold.',
    'Call 555 0199 before 6 p.m.',
    'The temperature fell to minus 12 degrees.',
  ],
  long: [
    'When the rain finally stopped, the whole village came out to look at the river, which had risen higher than anyone could remember.',
    'He said that he would come back in the spring, that he would bring the tools, and that together they would mend the roof before the storms.',
    'Although the map was old and torn at the edges, it still showed the path through the forest, the bridge over the stream, and the ruined tower on the hill.',
    'The committee met three times that week, first to hear the complaints, then to read the reports, and finally to vote on what should be done.',
    'If you follow the road past the church and keep walking until the houses end, you will find a gate, and behind it a garden that nobody tends.',
  ],
};

/** A small deterministic random source, so every run hears the same corpus. */
export function random(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** Longer sentences become clause-sized cues, split at the comma nearest the middle. */
export function clauseCues(sentence, maxChars = 84) {
  if (sentence.length <= maxChars) return [sentence];
  const commas = [...sentence.matchAll(/[,;] /g)].map((m) => m.index + 1);
  if (commas.length === 0) return [sentence];
  const cut = commas.reduce((a, b) => (Math.abs(b - sentence.length / 2) < Math.abs(a - sentence.length / 2) ? b : a));
  return [...clauseCues(sentence.slice(0, cut).trim(), maxChars), ...clauseCues(sentence.slice(cut).trim(), maxChars)];
}

/** `count` sentences drawn from the kinds named, in a seeded order. */
export function pickSentences(kinds, count, rand) {
  const pool = kinds.flatMap((k) => SENTENCES[k]);
  return Array.from({ length: count }, () => pool[Math.floor(rand() * pool.length)]);
}

function run(tool, args, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    let err = '';
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`${tool} exited ${code}: ${err}`))));
    child.stdin.end(input ?? '');
  });
}

function runIn(cwd, tool, args) {
  return new Promise((resolve, reject) => execFile(tool, args, { cwd }, (error) => (error ? reject(error) : resolve())));
}

/**
 * flite for every piece, three shells at a time, each running its share in sequence: one spawn a
 * shell rather than one a sentence, which costs the calling process more than flite does.
 */
async function fliteAll(pieces, { voice, stretch, tempo, dir }) {
  const key = (text) => `${voice}|${stretch}|${tempo}|${text}`;
  const missing = [...new Set(pieces.map((p) => p.text))].filter((text) => !spoken.has(key(text)));
  const lanes = 3;
  await Promise.all(missing.map((text, i) => writeFile(join(dir, `${i}.txt`), text)));
  await Promise.all(Array.from({ length: lanes }, async (_, lane) => {
    const speak = (i) => `flite -voice ${voice} --setf duration_stretch=${stretch} -f ${i}.txt -o ${i}.wav`;
    // sox's tempo changes the pace and keeps the pitch, unlike flite's own stretch.
    const retime = (i) => (tempo === 1 ? [] : [`sox ${i}.wav ${i}.t.wav tempo -s ${tempo}`, `mv ${i}.t.wav ${i}.wav`]);
    const lines = missing.flatMap((_, i) => (i % lanes === lane ? [speak(i), ...retime(i)] : []));
    if (lines.length > 0) await runIn(dir, 'sh', ['-ec', lines.join('\n')]);
  }));
  await Promise.all(missing.map(async (text, i) => spoken.set(key(text), readWav(await readFile(join(dir, `${i}.wav`))))));
  return pieces.map((piece) => ({ ...piece, ...spoken.get(key(piece.text)) }));
}

/**
 * Each piece as flite said it, by voice, pace and text: flite is deterministic, and a test or a
 * bench that says the same sentence again need not run it again.
 */
const spoken = new Map();

/** 16-bit samples and rate of a canonical WAV file such as flite writes. */
function readWav(bytes) {
  const rate = bytes.readUInt32LE(24);
  let at = 12;
  while (bytes.toString('latin1', at, at + 4) !== 'data') at += 8 + bytes.readUInt32LE(at + 4);
  const data = bytes.subarray(at + 8, at + 8 + bytes.readUInt32LE(at + 4));
  return { samples: new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + (data.length & ~1))), rate };
}

/**
 * Where the sound of a lone sentence starts and ends, in samples: the first and last 5 ms frame
 * within 40 dB of its loudest. Generous to the speech (a faint consonant counts), so the test is
 * strict about where a cue may change.
 */
export function soundSpan(samples, rate) {
  const hop = Math.round(rate * 0.005);
  const levels = [];
  for (let i = 0; i + hop <= samples.length; i += hop) {
    let sum = 0;
    for (let j = i; j < i + hop; j++) sum += samples[j] * samples[j];
    levels.push(10 * Math.log10(sum / hop + 1e-9));
  }
  const loud = Math.max(...levels) - 40;
  const first = levels.findIndex((l) => l > loud);
  const last = levels.length - 1 - [...levels].reverse().findIndex((l) => l > loud);
  return { start: first * hop, end: (last + 1) * hop };
}

/**
 * Speaks `sentences` with flite and joins them: returns 24 kHz s16le PCM, the cues, and for every
 * sentence the true start and end of its sound in seconds.
 * options: voice (kal, slt, rms, awb), stretch (flite's duration_stretch: 1.3 is slower), tempo
 * (sox's, applied to each sentence alone: 1.3 is faster),
 * pauses [min, max] seconds between sentences, colonPauses [min, max] seconds after a "Label 12:"
 * (engines often pause longer there than between sentences), blips (the share of pauses split by a
 * 20 ms click), noiseDb (background noise level, dBFS), seed.
 */
export async function speakRequest(sentences, options) {
  const { voice = 'slt', stretch = 1, tempo = 1, seed = 1 } = options;
  const dir = await mkdtemp(join(tmpdir(), 'tts-align-'));
  try {
    // A sentence with a label is spoken as two pieces, so the pause after the colon can be chosen.
    const pieces = sentences.flatMap((text, sentence) => {
      const colon = options.colonPauses ? text.indexOf(': ') : -1;
      if (colon < 0) return [{ text, sentence, last: true }];
      return [{ text: text.slice(0, colon + 1), sentence, last: false }, { text: text.slice(colon + 2), sentence, last: true }];
    });
    const spoken = await fliteAll(pieces, { voice, stretch, tempo, dir });
    return await joinSentences(sentences, spoken, { pauses: [0.2, 0.7], ...options, rand: random(seed) });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function joinSentences(sentences, spoken, { pauses, colonPauses, blips = 0, noiseDb, rand }) {
  const rate = spoken[0].rate;
  const keep = Math.round(rate * 0.03);
  const parts = [new Int16Array(Math.round(rate * 0.3))];
  const truth = sentences.map(() => ({ start: Infinity, end: 0 }));
  let at = parts[0].length;
  spoken.forEach(({ samples, sentence, last }, i) => {
    const span = soundSpan(samples, rate);
    const from = Math.max(0, span.start - keep);
    const to = Math.min(samples.length, span.end + keep);
    parts.push(samples.subarray(from, to));
    truth[sentence].start = Math.min(truth[sentence].start, (at + span.start - from) / rate);
    truth[sentence].end = (at + span.end - from) / rate;
    at += to - from;
    const [low, high] = !last ? colonPauses : i + 1 < spoken.length ? pauses : [0.4, 0.4];
    const gap = new Int16Array(Math.max(0, Math.round(rate * (low + rand() * (high - low))) - 2 * keep));
    if (last && i + 1 < spoken.length && rand() < blips) click(gap, rate, rand);
    parts.push(gap);
    at += gap.length;
  });
  const joined = new Int16Array(at);
  let offset = 0;
  for (const p of parts) joined.set(p, (offset += p.length) - p.length);
  const raw = Buffer.from(joined.buffer, joined.byteOffset, joined.byteLength);
  const pcm = await run('sox', ['-t', 'raw', '-r', String(rate), '-e', 'signed', '-b', '16', '-c', '1', '-', '-t', 'raw', '-r', '24000', '-e', 'signed', '-b', '16', '-c', '1', '-'], raw);
  if (noiseDb !== undefined) addNoise(pcm, noiseDb, rand);
  const cues = sentences.flatMap((s, i) => clauseCues(s).map((text, k, all) => ({ text, endsSentence: k === all.length - 1, sentence: i })));
  return { pcm, cues, truth, seconds: pcm.length / 2 / 24_000 };
}

/** A 20 ms burst of noise about 30 dB below speech, somewhere in the middle of a pause. */
function click(gap, rate, rand) {
  const length = Math.round(rate * 0.02);
  if (gap.length < 3 * length) return;
  const from = Math.round(length + rand() * (gap.length - 3 * length));
  for (let i = from; i < from + length; i++) gap[i] = Math.round((rand() - 0.5) * 2000);
}

/** Gaussian-ish white noise at `db` dBFS RMS, added in place to s16le PCM. */
function addNoise(pcm, db, rand) {
  const amplitude = 32768 * 10 ** (db / 20) * Math.sqrt(3);
  for (let i = 0; i + 1 < pcm.length; i += 2) {
    const noise = ((rand() + rand() + rand() + rand() - 2) / 2) * amplitude * Math.sqrt(3);
    pcm.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(pcm.readInt16LE(i) + noise))), i);
  }
}

/**
 * Scores cue times against the truth. A sentence change is right when it lies in the pause between
 * the two sentences, or at most `slack` seconds into either one's sound. A clause change (inside a
 * sentence) is only checked to lie within its sentence. The first cue's start and the last cue's
 * end are checked to lie within `slack` of the speech's first and last sound.
 */
export function score(times, request, slack = 0.12) {
  const { cues, truth } = request;
  const misses = [];
  let sentenceChanges = 0;
  let clauseChanges = 0;
  let clauseMisses = 0;
  for (let k = 0; k + 1 < cues.length; k++) {
    const at = times[k].end;
    const s = cues[k].sentence;
    if (cues[k].endsSentence) {
      sentenceChanges++;
      const ok = at >= truth[s].end - slack && at <= truth[s + 1].start + slack;
      if (!ok) misses.push({ after: cues[k].text, at, pause: [truth[s].end, truth[s + 1].start] });
    } else {
      clauseChanges++;
      if (at <= truth[s].start || at >= truth[s].end) clauseMisses++;
    }
  }
  const edges = [times[0].start - truth[0].start, times.at(-1).end - truth.at(-1).end];
  return { sentenceChanges, misses, clauseChanges, clauseMisses, edges, edgeMisses: edges.filter((e) => Math.abs(e) > slack).length };
}
