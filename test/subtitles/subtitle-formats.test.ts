import { describe, expect, test } from 'vitest';
import type { PlannedRequest } from '../../src/plan/plan-requests.js';
import { CueTimer, type CueAligner, type CueConsumer } from '../../src/subtitles/cue-timer.js';
import { subtitleFormat, subtitleKind, timestamp, type TimedCue, type TimelineSummary } from '../../src/subtitles/subtitle-formats.js';
import { verbatim } from '../../src/text/spoken-text.js';

const cue = (n: number, start: number, end: number, lines: string[]): TimedCue => ({ number: n, start, end, lines, source: { start: 0, end: 5 }, request: 0 });
const summary: TimelineSummary = { requests: [{ index: 0, start: 0, end: 3.5, source: { start: 0, end: 20 }, voice: 'alloy' }], marks: [{ name: 'm', time: 1.25 }], chapters: [], duration: 3.5 };
const write = (kind: 'srt' | 'vtt' | 'json', cues: TimedCue[]): string => {
  const f = subtitleFormat(kind);
  return f.header() + cues.map((c) => f.cue(c)).join('') + f.footer(summary);
};

describe('subtitle formats', () => {
  test('timestamps: hours, minutes, seconds and milliseconds, rounded', () => {
    expect(timestamp(0, ',')).toBe('00:00:00,000');
    expect(timestamp(3723.4567, '.')).toBe('01:02:03.457');
    expect(timestamp(-0.001, ',')).toBe('00:00:00,000');
  });

  test('SRT: numbered blocks, comma before the milliseconds, lines as given', () => {
    expect(write('srt', [cue(1, 0.2, 1.5, ['Hello there.']), cue(2, 1.5, 3.25, ['Two lines', 'of text.'])])).toBe(
      '1\n00:00:00,200 --> 00:00:01,500\nHello there.\n\n2\n00:00:01,500 --> 00:00:03,250\nTwo lines\nof text.\n\n',
    );
  });

  test('WebVTT: the header, a dot before the milliseconds, markup characters escaped', () => {
    expect(write('vtt', [cue(1, 0, 1, ['a < b && c --> d'])])).toBe('WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.000\na &lt; b &amp;&amp; c --&gt; d\n\n');
  });

  test('JSON: cues with their source offsets, then requests, marks, chapters and the duration', () => {
    const parsed = JSON.parse(write('json', [cue(1, 0, 1, ['A.']), cue(2, 1, 2, ['B', 'C.'])])) as Record<string, unknown>;
    expect(parsed['cues']).toEqual([
      { start: 0, end: 1, text: 'A.', lines: ['A.'], source: { start: 0, end: 5 }, request: 0 },
      { start: 1, end: 2, text: 'B C.', lines: ['B', 'C.'], source: { start: 0, end: 5 }, request: 0 },
    ]);
    expect(parsed['requests']).toEqual(summary.requests);
    expect(parsed['marks']).toEqual([{ name: 'm', time: 1.25 }]);
    expect(parsed['duration']).toBe(3.5);
    expect(JSON.parse(write('json', []))).toMatchObject({ cues: [] });
  });

  test('the format is named by the extension; anything else is refused', () => {
    expect(subtitleKind('a/b.SRT')).toBe('srt');
    expect(subtitleKind('x.vtt')).toBe('vtt');
    expect(() => subtitleKind('x.txt')).toThrow(/must end in \.srt, \.vtt or \.json/);
  });
});

const settings = { model: 'm', voice: 'v', speed: undefined, instructions: undefined, streamFormat: 'audio' as const };
const request = (index: number, text: string, source: number, marks: PlannedRequest['marks'] = []): PlannedRequest => ({ index, text, spoken: verbatim(text, source), settings, chapter: undefined, marks });

/** Collects what a consumer is given. */
function collector(): CueConsumer & { cues: TimedCue[]; summary?: TimelineSummary } {
  const out: CueConsumer & { cues: TimedCue[]; summary?: TimelineSummary } = {
    cues: [],
    cue: (c) => void out.cues.push(c),
    finish: async (s) => void (out.summary = s),
    commit: async () => undefined,
    abort: async () => undefined,
  };
  return out;
}

describe('the cue timer', () => {
  test("each request's cues are placed by the aligner inside the request's own span of the output", async () => {
    const seen: number[] = [];
    const aligner: CueAligner = {
      align: async (job) => {
        seen.push(job.audio.samples.length);
        return job.cues.map((_, i) => ({ start: 0.1 + i, end: 0.9 + i }));
      },
      close: async () => undefined,
    };
    const out = collector();
    const timer = new CueTimer({ consumers: [out], aligner: async () => aligner, signal: new AbortController().signal });
    timer.start('pcm');
    timer.audio(Buffer.alloc(48_000 * 2));
    await timer.event({ kind: 'request', request: request(0, 'One. Two.', 10, [{ name: 'mid', at: 5 }]), start: 0, end: 2 });
    await timer.event({ kind: 'pause', start: 2, end: 2.5 });
    timer.audio(Buffer.alloc(24_000 * 2));
    await timer.event({ kind: 'request', request: request(1, 'Three.', 20), start: 2.5, end: 3.5 });
    await timer.finish(3.5);
    expect(seen).toEqual([48_000, 24_000]);
    expect(out.cues.map((c) => [c.number, c.lines[0], c.start, c.end, c.source.start])).toEqual([
      [1, 'One.', 0.1, 1.1, 10],
      [2, 'Two.', 1.1, 1.9, 15],
      [3, 'Three.', 2.6, 3.4, 20],
    ]);
    expect(out.summary?.marks).toEqual([{ name: 'mid', time: 1.1 }]);
    expect(out.summary?.requests.map((r) => [r.start, r.end])).toEqual([[0, 2], [2.5, 3.5]]);
  });

  test('with no samples to align (aac), a request is one sentence and its pieces share its time', async () => {
    const out = collector();
    const timer = new CueTimer({ consumers: [out], aligner: () => Promise.reject(new Error('not used')), signal: new AbortController().signal });
    timer.start('aac');
    const long = 'This sentence runs on for quite a while, well past what two lines of a subtitle can hold.';
    await timer.event({ kind: 'request', request: request(0, long, 0), start: 1, end: 5 });
    await timer.finish(5);
    expect(out.cues.length).toBe(2);
    expect(out.cues[0]!.start).toBe(1);
    expect(out.cues[1]!.end).toBe(5);
    expect(out.cues[0]!.end).toBeCloseTo(out.cues[1]!.start, 9);
  });

  test('a request the aligner cannot time keeps its cues, timed by length in its own span, with one warning for the run', async () => {
    const warnings: string[] = [];
    const aligner: CueAligner = { align: async () => Promise.reject(new Error('no reference')), close: async () => undefined };
    const out = collector();
    const timer = new CueTimer({ consumers: [out], aligner: async () => aligner, signal: new AbortController().signal, warn: (m) => warnings.push(m) });
    timer.start('pcm');
    for (const [index, text, start] of [[0, 'One. Two two.', 0], [1, 'Three.', 2]] as const) {
      timer.audio(Buffer.alloc(48_000 * 2));
      await timer.event({ kind: 'request', request: request(index, text, 0), start, end: start + 2 });
    }
    await timer.finish(4);
    expect(out.cues.map((c) => [c.lines[0], c.start, c.end])).toEqual([
      // Shared by their letters: 3 of 9 for the first.
      ['One.', 0, expect.closeTo(2 * (3 / 9), 6)],
      ['Two two.', expect.closeTo(2 * (3 / 9), 6), 2],
      ['Three.', 2, 4],
    ]);
    expect(warnings).toEqual(['the speech of chunk 1 could not be aligned (no reference); its subtitles are timed by length']);
  });
});
