import { describe, expect, test } from 'vitest';
import { resampleS16 } from '../../src/audio/resample.js';
import { parseVoiceTable, voiceProblem } from '../../src/local-voice/voices.js';

const TABLE = [
  ' 5  af              --/M      Afrikaans          gmw/af',
  ' 2  en-gb           --/M      English_(Great_Britain) gmw/en            (en 2)',
  ' 2  en-us           --/M      English_(America)  gmw/en-US            (en 3)',
  ' 5  de              --/M      German             gmw/de',
];

describe("eSpeak's voices", () => {
  test('the voice table is parsed into language, gender, name and file', () => {
    expect(parseVoiceTable(TABLE)).toEqual([
      { language: 'af', gender: 'M', name: 'Afrikaans', file: 'gmw/af' },
      { language: 'en-gb', gender: 'M', name: 'English_(Great_Britain)', file: 'gmw/en' },
      { language: 'en-us', gender: 'M', name: 'English_(America)', file: 'gmw/en-US' },
      { language: 'de', gender: 'M', name: 'German', file: 'gmw/de' },
    ]);
  });

  test.each([
    ['en-us', undefined],
    ['EN-GB', undefined],
    ['gmw/en-US', undefined],
    ['german', undefined],
    ['en-us+f3', undefined],
    ['en-us+Alex', undefined],
    ['xx', 'there is no voice or language "xx"'],
    ['en-us+nope', 'there is no variant "+nope"'],
  ])('%s: %s', (voice, problem) => {
    expect(voiceProblem(voice, parseVoiceTable(TABLE), ['f3', 'alex'])).toBe(problem);
  });
});

describe('resampling', () => {
  const samples = (values: number[]) => Buffer.from(new Int16Array(values).buffer);
  test('keeps the duration: 22,050 Hz to 24,000 Hz', () => {
    const oneSecond = samples(Array.from({ length: 22_050 }, (_, i) => Math.round(Math.sin(i / 9) * 10_000)));
    expect(resampleS16(oneSecond, 22_050, 24_000).length / 2).toBe(24_000);
  });
  test('interpolates between neighbours', () => {
    expect([...new Int16Array(new Uint8Array(resampleS16(samples([0, 100, 200]), 1, 2)).buffer)]).toEqual([0, 50, 100, 150, 200, 200]);
  });
});
