// A script (a dialogue with a cast, an SSML file with breaks and voices) against the model provider:
// it should take no longer than its requests on -c lanes, and its audio should be exactly the
// served audio plus the pauses. Silence is made here, so a pause costs no wall time.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startModelProvider } from './model-provider.js';
import { prose, runTts } from './pipeline.js';

const MODEL = { ttfbMs: 300, msPerChar: 0.1, bytesPerChar: 200 };
const TURN_GAP_MS = 300;

/** `turns` lines alternating between three speakers: a new voice on every line. */
function dialogue(turns) {
  const names = ['ANNA', 'BEN', 'CLARA'];
  return Array.from({ length: turns }, (_, i) => `${names[i % 3]}: ${prose(180 + (i % 5) * 40).trim()}`).join('\n');
}

/** SSML paragraphs with a 750 ms break after each and a voice change every third. */
function ssml(paragraphs) {
  const body = Array.from({ length: paragraphs }, (_, i) => {
    const text = prose(300 + (i % 4) * 60).replace(/[<&]/g, ' ').trim();
    return i % 3 === 2 ? `<voice name="echo"><p>${text}</p></voice><break time="750ms"/>` : `<p>${text}</p><break time="750ms"/>`;
  });
  return `<?xml version="1.0"?>\n<speak version="1.1" xmlns="http://www.w3.org/2001/10/synthesis">${body.join('\n')}</speak>`;
}

/** Requests in arrival order on `c` lanes, each ttfb + chars x rate: the best possible wall time. */
function idealMs(chars, c) {
  const lanes = Array(c).fill(0);
  for (const n of chars) {
    const i = lanes.indexOf(Math.min(...lanes));
    lanes[i] += MODEL.ttfbMs + n * MODEL.msPerChar;
  }
  return Math.max(...lanes);
}

/** Samples in a wav file's data chunk. */
function wavSamples(path) {
  const bytes = readFileSync(path);
  let at = 12;
  while (bytes.toString('latin1', at, at + 4) !== 'data') at += 8 + bytes.readUInt32LE(at + 4);
  return bytes.readUInt32LE(at + 4) / 2;
}

async function measure(label, args, file, pausesMs, { provider, env, home }) {
  provider.requests.length = 0;
  provider.inputChars.length = 0;
  const out = join(home, `${label}.wav`);
  const run = await runTts(['-f', file, '-o', out, '-c', '4', '--no-cache', '--base-url', provider.url, ...args], '', env);
  const ideal = idealMs(provider.inputChars, 4);
  const ratio = (run.endedAt - provider.requests[0]) / ideal;
  const served = provider.inputChars.reduce((sum, n) => sum + Math.floor((n * MODEL.bytesPerChar) / 2), 0);
  const expected = served + pausesMs(provider.inputChars.length) * 24;
  const got = wavSamples(out);
  return [
    { measure: `${label}: ${provider.inputChars.length} requests at -c 4, over the ideal schedule`, value: `${ratio.toFixed(2)}x`, target: '<= 1.15x', ok: ratio <= 1.15 },
    { measure: '  audio length: served audio plus the pauses, in samples', value: got === expected ? 'exact' : `${got - expected} off`, target: 'exact', ok: got === expected },
  ];
}

export async function benchScript() {
  const home = await mkdtemp(join(tmpdir(), 'tts-bench-script-'));
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache'), OPENAI_API_KEY: 'bench', CI: '1' };
  const provider = await startModelProvider(MODEL);
  try {
    const turns = 60;
    await writeFile(join(home, 'dialogue.txt'), dialogue(turns));
    await writeFile(join(home, 'script.ssml'), ssml(30));
    const context = { provider, env, home };
    return [
      // Every turn changes voice, so every turn is a request and every change a 300 ms gap.
      ...(await measure('dialogue of 60 turns, 3 voices', ['--cast', 'ANNA=alloy,BEN=echo,CLARA=nova'], join(home, 'dialogue.txt'), () => (turns - 1) * TURN_GAP_MS, context)),
      ...(await measure('SSML, 30 paragraphs with breaks', [], join(home, 'script.ssml'), () => 30 * 750, context)),
    ];
  } finally {
    await provider.close();
    await rm(home, { recursive: true, force: true });
  }
}
