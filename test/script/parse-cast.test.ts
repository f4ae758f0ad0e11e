import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { castKey, parseCast } from '../../src/script/parse-cast.js';

describe('a cast of voices', () => {
  test.each([
    ['ALICE=nova,BOB=onyx', { alice: { name: 'ALICE', voice: 'nova' }, bob: { name: 'BOB', voice: 'onyx' } }],
    [' Alice = nova , Bob=onyx, ', { alice: { name: 'Alice', voice: 'nova' }, bob: { name: 'Bob', voice: 'onyx' } }],
    [
      'ALICE=nova:warm, unhurried,BOB=onyx: gruff ',
      { alice: { name: 'ALICE', voice: 'nova', instructions: 'warm, unhurried' }, bob: { name: 'BOB', voice: 'onyx', instructions: 'gruff' } },
    ],
    ['Dr. Jane  Smith=nova,Speaker 2=alloy', { 'dr. jane smith': { name: 'Dr. Jane Smith', voice: 'nova' }, 'speaker 2': { name: 'Speaker 2', voice: 'alloy' } }],
    ["Zoë=shimmer,O'Hara=echo", { zoë: { name: 'Zoë', voice: 'shimmer' }, "o'hara": { name: "O'Hara", voice: 'echo' } }],
    ['NARRATOR=en-US-AvaNeural:', { narrator: { name: 'NARRATOR', voice: 'en-US-AvaNeural' } }],
  ])('%j', (spec, expected) => {
    expect(Object.fromEntries(parseCast(spec))).toEqual(expected);
  });

  test('labels match whatever their case and spacing', () => {
    expect(castKey('  Dr.   JANE ')).toBe(castKey('dr. jane'));
  });

  test.each([
    ['', 'The cast is empty'],
    [' , ', 'The cast is empty'],
    ['ALICE', 'The cast entry "ALICE" has no voice'],
    ['ALICE=nova,BOB', 'The cast entry "BOB" has no voice'],
    ['ALICE=', 'ALICE has no voice in the cast'],
    ['ALICE=:calm', 'ALICE has no voice in the cast'],
    ['ALICE=nova,alice=onyx', 'alice is in the cast twice'],
    ['1st=nova', '"1st" cannot be a speaker\'s name in a cast'],
    ['=nova', '"" cannot be a speaker\'s name in a cast'],
    ['A Very Long Name Of Five=nova', '"A Very Long Name Of Five" cannot be a speaker\'s name in a cast'],
    [`${'N'.repeat(33)}=nova`, `"${'N'.repeat(33)}" cannot be a speaker's name in a cast`],
  ])('%j is refused', (spec, message) => {
    expect(() => parseCast(spec)).toThrow(UsageError);
    expect(() => parseCast(spec)).toThrow(message);
  });
});
