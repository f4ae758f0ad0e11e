import { describe, expect, test } from 'vitest';
import { espeakReference } from '../../src/align/espeak-reference.js';
import { EspeakSession } from '../../src/align/espeak-session.js';
import { runEspeak } from '../../src/local-voice/espeak-module.js';
import { referenceSsml, splitReference } from '../../src/align/reference-script.js';

const RATE = 22_050;

/** 16-bit PCM: bursts of sound (seconds) and runs of exact zeros (negative seconds). */
function pcmOf(...parts: number[]): Int16Array {
  const out: number[] = [];
  for (const seconds of parts) {
    const n = Math.round(Math.abs(seconds) * RATE);
    for (let i = 0; i < n; i++) out.push(seconds > 0 ? (i % 2 ? 1000 : -1000) : 0);
  }
  return Int16Array.from(out);
}

describe('the reference script', () => {
  test('is the cues as SSML text, escaped, with a long break between each two', () => {
    expect(referenceSsml(['Tom & Jerry <3', 'Line\none.'])).toBe('Tom &amp; Jerry &lt;3 <break time="1500ms"/> Line one.');
  });

  test('is cut at its breaks, and joined again with a sentence pause or a shorter clause pause', () => {
    const pcm = pcmOf(0.5, -0.2, 0.3, -1.492, 0.4, -1.492, 0.6, -0.3);
    const reference = splitReference(pcm, RATE, [false, true, true])!;
    const seconds = (samples: number): number => Math.round((samples / RATE) * 1000) / 1000;
    expect(reference.cues.map((c) => [seconds(c.start), seconds(c.end), c.endsSentence])).toEqual([
      [0.2, 1.2, false],
      [1.32, 1.72, true],
      [2.02, 2.62, true],
    ]);
    // The cue's own pause (0.2 s inside the first) is kept; the breaks are gone.
    expect(seconds(reference.signal.samples.length)).toBeCloseTo(2.82, 2);
    expect(reference.signal.samples[Math.round(0.2 * RATE)]).toBeCloseTo(-1000 / 32768);
  });

  test('a cue that made no sound has an empty place between its neighbours', () => {
    const reference = splitReference(pcmOf(0.5, -2.984, 0.4), RATE, [true, true, true])!;
    const [a, empty, b] = reference.cues;
    expect(empty!.start).toBe(empty!.end);
    expect(empty!.start).toBeGreaterThanOrEqual(a!.end);
    expect(b!.start).toBeGreaterThanOrEqual(empty!.end);
  });

  test('breaks that do not match the cues are refused', () => {
    expect(splitReference(pcmOf(0.5, -1.492, 0.4), RATE, [true, true, true])).toBeUndefined();
  });
});

describe('the eSpeak reference', () => {
  test('knows where each cue is, including one eSpeak says nothing for', async () => {
    const cues = [
      { text: 'Label 12: keep the lid closed.', endsSentence: true },
      { text: '---', endsSentence: true },
      { text: 'When the rain stopped,', endsSentence: false },
      { text: 'we went out.', endsSentence: true },
    ];
    const reference = await espeakReference(cues, { voice: 'en-us', wordsPerMinute: 175 });
    const seconds = reference.cues.map((c) => (c.end - c.start) / reference.signal.sampleRate);
    expect(seconds[0]).toBeGreaterThan(1.2);
    expect(seconds[1]).toBe(0);
    expect(seconds[2]).toBeGreaterThan(0.6);
    expect(seconds[3]).toBeGreaterThan(0.4);
    for (const cue of reference.cues) {
      const samples = reference.signal.samples;
      // Each cue starts and ends on sound (or is empty), with silence just outside it.
      if (cue.end > cue.start) expect(samples[cue.start] !== 0 && samples[cue.end - 1] !== 0).toBe(true);
      expect(samples[cue.start - 1]).toBe(0);
      expect(samples[cue.end]).toBe(0);
    }
  }, 60_000);

  test('an unknown voice is a usage error that says how to list the voices', async () => {
    await expect(espeakReference([{ text: 'Hello.', endsSentence: true }], { voice: 'vulcan', wordsPerMinute: 175 })).rejects.toMatchObject({
      name: 'UsageError',
      hint: expect.stringMatching(/tts voices -p local/),
    });
  }, 60_000);
});

describe('the eSpeak session', () => {
  test('each run says exactly what a fresh eSpeak says, also after a run that failed', async () => {
    const session = new EspeakSession();
    const args = (voice: string): string[] => ['-v', voice, '-w', '/out.wav', '-f', '/in.txt'];
    const fresh = async (voice: string, text: string): Promise<Uint8Array> => (await runEspeak(args(voice), { '/in.txt': text })).fs.readFile('/out.wav');
    const runs: [string, string][] = [
      ['en-us', 'The river carried small boats.'],
      ['en-gb', 'Is it true?'],
      ['vulcan', 'Hello.'],
      ['en-us', 'The river carried small boats.'],
    ];
    for (const [voice, text] of runs) {
      const run = await session.run(args(voice), { '/in.txt': text }, ['/out.wav']);
      if (voice === 'vulcan') {
        expect(run.status).not.toBe(0);
        expect(() => run.fs.readFile('/out.wav')).toThrow();
      } else {
        expect(run.status).toBe(0);
        expect(Buffer.from(run.fs.readFile('/out.wav')).equals(Buffer.from(await fresh(voice, text)))).toBe(true);
      }
    }
  }, 60_000);
});
