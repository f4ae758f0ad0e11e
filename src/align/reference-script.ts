import type { ReferenceCue } from './align-cues.js';
import type { Signal } from './levels.js';

/**
 * eSpeak speaks all of a request's cues in one run, each followed by a break far longer than any
 * pause of its own (at most about 0.45 s, after an ellipsis): the breaks, runs of exact zeros,
 * then show where every cue starts and ends to the sample. One run instead of one per cue, because
 * starting eSpeak's WebAssembly costs more than speaking a sentence.
 */
export const SEPARATOR_MS = 1500;
/** A run of zeros this long is a separator (eSpeak makes a 1.5 s break 1.492 s long). */
const SEPARATOR_MIN_SECONDS = 1.0;

/** Silence put back between cues in the reference: a sentence's pause, a clause's, and the ends. */
const SENTENCE_GAP = 0.3;
const CLAUSE_GAP = 0.12;
const EDGE_GAP = 0.2;

/** The SSML eSpeak reads: the cues' text, escaped, with a separator between each two. */
export function referenceSsml(cues: readonly string[]): string {
  const escape = (text: string): string => text.replace(/\s+/g, ' ').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return cues.map(escape).join(` <break time="${SEPARATOR_MS}ms"/> `);
}

export interface Reference {
  signal: Signal;
  cues: ReferenceCue[];
}

/**
 * Cuts eSpeak's rendition (16-bit samples) at its separators and joins the cues again with pauses
 * of natural length. Undefined when the separators do not match the cues, which would mean eSpeak
 * paused for a second or more on its own.
 */
export function splitReference(pcm: Int16Array, sampleRate: number, endsSentence: readonly boolean[]): Reference | undefined {
  const pieces = piecesBetweenSeparators(pcm, sampleRate);
  if (pieces.length !== endsSentence.length) return undefined;
  const gap = (seconds: number): number => Math.round(seconds * sampleRate);
  let length = gap(EDGE_GAP) * 2;
  pieces.forEach(([from, to], k) => (length += to - from + (k + 1 < pieces.length ? gap(endsSentence[k] ? SENTENCE_GAP : CLAUSE_GAP) : 0)));
  const samples = new Float32Array(length);
  const cues: ReferenceCue[] = [];
  let at = gap(EDGE_GAP);
  pieces.forEach(([from, to], k) => {
    for (let i = from; i < to; i++) samples[at + i - from] = pcm[i]! / 32768;
    cues.push({ start: at, end: at + to - from, endsSentence: endsSentence[k]! });
    at += to - from + gap(endsSentence[k] ? SENTENCE_GAP : CLAUSE_GAP);
  });
  return { signal: { samples, sampleRate }, cues };
}

/** [start, end) of the sound between separators, one per cue; empty where a cue made no sound. */
function piecesBetweenSeparators(pcm: Int16Array, sampleRate: number): [number, number][] {
  const minRun = SEPARATOR_MIN_SECONDS * sampleRate;
  const separator = (SEPARATOR_MS / 1000) * sampleRate;
  const pieces: [number, number][] = [];
  let pieceStart = 0;
  let zeroFrom = 0;
  for (let i = 0; i <= pcm.length; i++) {
    if (i < pcm.length && pcm[i] === 0) continue;
    if (i - zeroFrom >= minRun) {
      const count = Math.max(1, Math.round((i - zeroFrom) / separator));
      pieces.push(trimmed(pcm, pieceStart, zeroFrom));
      for (let n = 1; n < count; n++) pieces.push([zeroFrom, zeroFrom]);
      pieceStart = i;
    }
    zeroFrom = i + 1;
  }
  pieces.push(trimmed(pcm, pieceStart, pcm.length));
  return pieces;
}

function trimmed(pcm: Int16Array, from: number, to: number): [number, number] {
  let a = from;
  let b = to;
  while (a < b && pcm[a] === 0) a++;
  while (b > a && pcm[b - 1] === 0) b--;
  return a === b ? [from, from] : [a, b];
}
