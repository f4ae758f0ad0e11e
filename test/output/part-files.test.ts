import { describe, expect, test } from 'vitest';
import { isStalePart, parsePartName, partFileName, processAlive, STALE_PART_AGE_MS } from '../../src/output/part-files.js';
import { deadPid } from '../helpers/spawn-bin.js';

describe('part file names carry their owner', () => {
  test('a new part names this process', () => {
    const name = partFileName('.book.mp3');
    expect(name).toMatch(new RegExp(`^\\.book\\.mp3\\.${process.pid}\\.[0-9a-f]{8}\\.part$`));
    expect(parsePartName(name, '.book.mp3')).toEqual({ owner: process.pid });
  });

  test.each([
    ['.book.mp3.4242.0123abcd.part', { owner: 4242 }],
    ['.book.mp3.0123abcd.part', { owner: undefined }],
    ['.book.mp3.x.0123abcd.part', undefined],
    ['.book.mp3.4242.0123abcd', undefined],
    ['.book.mp3.4242.0123ABCD.part', undefined],
    ['.book.mp3.old.4242.0123abcd.part', undefined],
    ['.other.mp3.4242.0123abcd.part', undefined],
    ['book.mp3.4242.0123abcd.part', undefined],
  ])('%s → %j', (name, parsed) => {
    expect(parsePartName(name, '.book.mp3')).toEqual(parsed);
  });
});

describe('a part is stale only when it is old and its owner is gone', () => {
  const old = STALE_PART_AGE_MS + 1;
  const alive = (pid: number) => pid === 100;
  test.each([
    ['old, owner gone', { owner: 200, ageMs: old }, true],
    ['old, owner running', { owner: 100, ageMs: old }, false],
    ['young, owner gone', { owner: 200, ageMs: 1000 }, false],
    ['old, owner unknown (an older tts named it)', { owner: undefined, ageMs: old }, true],
    ['young, owner unknown', { owner: undefined, ageMs: 1000 }, false],
  ])('%s → %s', (_name, part, stale) => {
    expect(isStalePart(part, { minAgeMs: STALE_PART_AGE_MS, alive })).toBe(stale);
  });

  test('processAlive: this process yes, one that exited no, nonsense no', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(deadPid())).toBe(false);
    expect(processAlive(0)).toBe(false);
    expect(processAlive(-1)).toBe(false);
  });
});
