import { describe, expect, test } from 'vitest';
import { alignCues, type ReferenceCue } from '../../src/align/align-cues.js';
import { random, sounds, type Part } from './synthetic.js';

/** Ten tones standing in for speech sounds. */
const PHONES = [220, 310, 420, 560, 730, 950, 1250, 1650, 2150, 2800];

interface Sentence {
  phones: number[];
  /** After this many phones the speaker pauses, as after "Label 12:". */
  labelAt?: number;
}

interface Span {
  start: number;
  end: number;
}

interface Timing {
  phone: () => number;
  label: () => number;
  between: () => number;
  edge: number;
}

/** Speaks sentences with a timing; returns the signal and where each sentence's sound is. */
function speak(sentences: readonly Sentence[], timing: Timing, noise: number): { signal: ReturnType<typeof sounds>; spans: Span[]; labelPauses: Span[] } {
  const parts: Part[] = [{ pause: timing.edge }];
  const spans: Span[] = [];
  const labelPauses: Span[] = [];
  let at = timing.edge;
  sentences.forEach((sentence, k) => {
    const start = at;
    sentence.phones.forEach((p, i) => {
      if (i === sentence.labelAt) {
        const pause = timing.label();
        parts.push({ pause });
        labelPauses.push({ start: at, end: at + pause });
        at += pause;
      }
      const seconds = timing.phone();
      parts.push({ hz: PHONES[p]!, seconds });
      at += seconds;
    });
    spans.push({ start, end: at });
    const pause = k + 1 < sentences.length ? timing.between() : timing.edge;
    parts.push({ pause });
    at += pause;
  });
  return { signal: sounds(parts, { noise, seed: 5 }), spans, labelPauses };
}

function sentencesOf(count: number, seed: number): Sentence[] {
  const rand = random(seed);
  return Array.from({ length: count }, (_, k) => {
    const phones = Array.from({ length: 6 + Math.floor(rand() * 10) }, () => Math.floor(rand() * PHONES.length));
    return k % 3 === 1 ? { phones, labelAt: 2 } : { phones };
  });
}

function referenceOf(sentences: readonly Sentence[]): { signal: ReturnType<typeof sounds>; cues: ReferenceCue[] } {
  const { signal, spans } = speak(sentences, { phone: () => 0.08, label: () => 0.1, between: () => 0.3, edge: 0.2 }, 0);
  const cues = spans.map((s) => ({ start: Math.round(s.start * signal.sampleRate), end: Math.round(s.end * signal.sampleRate), endsSentence: true }));
  return { signal, cues };
}

describe('alignCues', () => {
  test('puts every sentence change in the pause between the sentences, not in a longer pause after a label', () => {
    const sentences = sentencesOf(24, 1);
    const rand = random(2);
    // The target speaks each sound 0.6–1.6 times as long as the reference, pauses 0.15–0.4 s
    // between sentences, and 0.6–0.9 s after a label: its longest pauses are not sentence ends.
    const target = speak(sentences, { phone: () => 0.08 * (0.6 + rand()), label: () => 0.6 + 0.3 * rand(), between: () => 0.15 + 0.25 * rand(), edge: 0.35 }, 0.003);
    const reference = referenceOf(sentences);
    const times = alignCues({ target: target.signal, reference: reference.signal, cues: reference.cues });
    expect(times).toHaveLength(sentences.length);
    for (let k = 0; k + 1 < sentences.length; k++) {
      expect(times[k]!.end).toBeGreaterThanOrEqual(target.spans[k]!.end - 0.12);
      expect(times[k]!.end).toBeLessThanOrEqual(target.spans[k + 1]!.start + 0.12);
      expect(times[k + 1]!.start).toBe(times[k]!.end);
    }
    expect(Math.abs(times[0]!.start - target.spans[0]!.start)).toBeLessThan(0.05);
    expect(Math.abs(times.at(-1)!.end - target.spans.at(-1)!.end)).toBeLessThan(0.05);
  });

  test('in a long pause, the cue changes a quarter second before the next sentence', () => {
    const sentences = sentencesOf(3, 3);
    const target = speak(sentences, { phone: () => 0.09, label: () => 0.1, between: () => 1.2, edge: 0.3 }, 0.001);
    const reference = referenceOf(sentences);
    const times = alignCues({ target: target.signal, reference: reference.signal, cues: reference.cues });
    expect(times[0]!.end).toBeCloseTo(target.spans[1]!.start - 0.25, 1);
  });

  test('one cue spans the speech, from its first sound to its last', () => {
    const sentences = sentencesOf(1, 4);
    const target = speak(sentences, { phone: () => 0.1, label: () => 0.3, between: () => 0.3, edge: 0.5 }, 0.002);
    const reference = referenceOf(sentences);
    const [only] = alignCues({ target: target.signal, reference: reference.signal, cues: reference.cues });
    expect(only!.start).toBeCloseTo(target.spans[0]!.start, 1);
    expect(only!.end).toBeCloseTo(target.spans[0]!.end, 1);
  });

  test('a clause cue inside a sentence ends in the pause nearest where the reference puts it', () => {
    const rand = random(7);
    const sentences: Sentence[] = [{ phones: [1, 4, 7, 2, 9, 0, 5], labelAt: 3 }, { phones: [3, 8, 6, 1, 4] }];
    const target = speak(sentences, { phone: () => 0.08 * (0.7 + rand() * 0.6), label: () => 0.2, between: () => 0.4, edge: 0.3 }, 0.002);
    const reference = referenceOf(sentences);
    // The first sentence is two cues, cut in the middle of the reference's pause after its label.
    const [first, second] = reference.cues as [ReferenceCue, ReferenceCue];
    const cut = first.start + Math.round((3 * 0.08 + 0.05) * reference.signal.sampleRate);
    const cues: ReferenceCue[] = [{ start: first.start, end: cut - 1200, endsSentence: false }, { start: cut + 1200, end: first.end, endsSentence: true }, second];
    const times = alignCues({ target: target.signal, reference: reference.signal, cues });
    expect(times).toHaveLength(3);
    const pause = target.labelPauses[0]!;
    expect(times[0]!.end).toBeGreaterThanOrEqual(pause.start);
    expect(times[0]!.end).toBeLessThanOrEqual(pause.end);
    expect(times[1]!.end).toBeGreaterThanOrEqual(target.spans[0]!.end - 0.12);
    expect(times[1]!.end).toBeLessThanOrEqual(target.spans[1]!.start + 0.12);
  });

  test('no cues, no times', () => {
    const signal = sounds([{ hz: 300, seconds: 0.5 }]);
    expect(alignCues({ target: signal, reference: signal, cues: [] })).toEqual([]);
  });
});
