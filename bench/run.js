// npm run bench: speed and memory targets, measured against local servers only.
// `npm run bench -- rate` (any words) runs only the sections whose titles contain one of them.
import { benchAlign } from './align.js';
import { benchBooks, benchWholeBook } from './books.js';
import { benchJoins } from './joins.js';
import { benchLocalVoice } from './local-voice.js';
import { benchMarkdown } from './markdown.js';
import { benchPipeline } from './pipeline.js';
import { benchPlayback } from './playback.js';
import { benchRateLimits } from './rate-limits.js';
import { benchScript } from './script.js';
import { benchStartup } from './startup.js';

function table(title, rows) {
  console.log(`\n${title}`);
  const width = Math.max(...rows.map((r) => r.measure.length));
  for (const r of rows) {
    const verdict = r.ok === undefined ? '' : r.ok ? '  ok' : '  MISSED';
    console.log(`  ${r.measure.padEnd(width)}  ${r.value.padStart(10)}  ${r.target.padEnd(12)}${verdict}`);
  }
}

const sections = [
  ['Start-up', () => benchStartup()],
  ['Long text against a model provider on 127.0.0.1', () => benchPipeline()],
  ['Scripts: a dialogue and an SSML file against the same provider (pauses cost no wall time)', () => benchScript()],
  ['Rate limits: a provider on 127.0.0.1 that enforces them', () => benchRateLimits()],
  ['Playing (ALSA file plugin as the sound card)', () => benchPlayback()],
  ['Joining chunks (input bytes per second)', () => benchJoins()],
  ['The built-in voice', () => benchLocalVoice()],
  ['Reading a 1 MB EPUB (what a dry run does first)', () => benchBooks()],
  ['A 1 MB EPUB (about 20 hours) through the bin: its dry run, a whole m4b, Ctrl-C and the rerun', () => benchWholeBook()],
  ['Markdown (the parser loads only when Markdown is read)', () => benchMarkdown()],
  ['Subtitle alignment (flite speech, one sentence at a time)', () => benchAlign()],
];
const only = process.argv.slice(2).map((word) => word.toLowerCase());
const chosen = sections.filter(([title]) => only.length === 0 || only.some((word) => title.toLowerCase().includes(word)));
if (chosen.length === 0) throw new Error(`No bench section's title contains ${only.join(' or ')}`);
let missed = 0;
for (const [title, run] of chosen) {
  const rows = await run();
  missed += rows.filter((r) => r.ok === false).length;
  table(title, rows);
}
console.log(missed === 0 ? '\nAll targets met.' : `\n${missed} target(s) missed.`);
process.exitCode = missed === 0 ? 0 : 1;
