import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { parseCast } from '../../src/script/parse-cast.js';
import { readDialogue, TURN_GAP_MS } from '../../src/script/read-dialogue.js';
import { sourceOffset } from '../../src/text/spoken-text.js';
import { runPairs, speechTexts, view, type SegmentView } from './segment-view.js';

const cast = parseCast('ALICE=nova,BOB=onyx,Dr. Jane Smith=shimmer:calm and precise');
const read = (text: string) => view(readDialogue(text, cast));
const gap = { pause: TURN_GAP_MS };

describe('dialogues', () => {
  test('the turn gap is 300 ms', () => {
    expect(TURN_GAP_MS).toBe(300);
  });

  test.each<[string, string, SegmentView[]]>([
    ['each label speaks in its voice, unspoken itself', 'ALICE: Hi Bob.\nBOB: Hi Alice.', [{ say: 'Hi Bob.', voice: 'nova' }, gap, { say: 'Hi Alice.', voice: 'onyx' }]],
    [
      'lines without a label go on in the same voice, paragraphs kept',
      'ALICE: Line one\nline two\n\n   \nnew paragraph\nBOB: Yes.',
      [{ say: 'Line one\nline two\n\nnew paragraph', voice: 'nova' }, gap, { say: 'Yes.', voice: 'onyx' }],
    ],
    ['text before the first label takes the run\'s own voice', 'Episode one.\n\nALICE: Hi.', [{ say: 'Episode one.' }, gap, { say: 'Hi.', voice: 'nova' }]],
    ['labels match in any case, indented, spaced before the colon', 'alice: a\n  Bob  : b', [{ say: 'a', voice: 'nova' }, gap, { say: 'b', voice: 'onyx' }]],
    ['a name of several words', 'Dr. Jane Smith: Sit down.', [{ say: 'Sit down.', voice: 'shimmer', instructions: 'calm and precise' }]],
    ['a label alone on its line, the words below it', 'ALICE:\n  Hello\n  there.', [{ say: 'Hello\nthere.', voice: 'nova' }]],
    ['the same speaker labelled again goes on, a paragraph later', 'ALICE: One.\nALICE: Two.', [{ say: 'One.\n\nTwo.', voice: 'nova' }]],
    ['a speaker with nothing to say is skipped, with no gap', 'ALICE:\nBOB: Hi.', [{ say: 'Hi.', voice: 'onyx' }]],
    ['back and forth keeps the order', 'ALICE: 1\nBOB: 2\nALICE: 3', [{ say: '1', voice: 'nova' }, gap, { say: '2', voice: 'onyx' }, gap, { say: '3', voice: 'nova' }]],
    ['CRLF line ends', 'ALICE: Hi.\r\nBOB: Yo.\r\n', [{ say: 'Hi.', voice: 'nova' }, gap, { say: 'Yo.', voice: 'onyx' }]],
    ['a byte-order mark before the first label', '\uFEFFALICE: Hi.', [{ say: 'Hi.', voice: 'nova' }]],
    ['no label at all is one stretch in the run\'s voice', 'Just prose.\nMore.', [{ say: 'Just prose.\nMore.' }]],
  ])('%s', (_name, text, expected) => {
    expect(read(text)).toEqual(expected);
  });

  test.each<[string, string, SegmentView[]]>([
    ['a colon must be followed by a space or the line end', 'ALICE: see\nBOB:x and http://example.com', [{ say: 'see\nBOB:x and http://example.com', voice: 'nova' }]],
    ['an uncapitalised phrase before a colon is prose', 'ALICE: Listen.\nand then she said: no way', [{ say: 'Listen.\nand then she said: no way', voice: 'nova' }]],
    ['more than four words before a colon is prose', 'ALICE: So.\nThe Quick Brown Fox Jumps: over', [{ say: 'So.\nThe Quick Brown Fox Jumps: over', voice: 'nova' }]],
    ['a backslash says a label-like line as written', 'ALICE: Read this.\n\\Note: it matters.', [{ say: 'Read this.\nNote: it matters.', voice: 'nova' }]],
    ['a backslash before anything else stays', 'ALICE: \\o/ yay', [{ say: '\\o/ yay', voice: 'nova' }]],
    ['a line starting with a backslash but no label keeps it', 'ALICE: x\n\\n is a newline', [{ say: 'x\n\\n is a newline', voice: 'nova' }]],
  ])('%s', (_name, text, expected) => {
    expect(read(text)).toEqual(expected);
  });

  test('stage directions in parentheses become instructions, after the speaker\'s own', () => {
    const text = 'ALICE (whispering): Psst.\nDr. Jane Smith (sternly): Quiet.\nALICE (whispering): Sorry.\nALICE: Anyway.';
    expect(read(text)).toEqual([
      { say: 'Psst.', voice: 'nova', instructions: 'whispering' },
      gap,
      { say: 'Quiet.', voice: 'shimmer', instructions: 'calm and precise; sternly' },
      gap,
      { say: 'Sorry.', voice: 'nova', instructions: 'whispering' },
      // A new direction for the same speaker is a new request, not a new turn: no gap.
      { say: 'Anyway.', voice: 'nova' },
    ]);
  });

  test('the gap can be set, or left out', () => {
    expect(view(readDialogue('ALICE: a\nBOB: b', cast, { turnGapMs: 450 }))).toEqual([{ say: 'a', voice: 'nova' }, { pause: 450 }, { say: 'b', voice: 'onyx' }]);
    expect(view(readDialogue('ALICE: a\nBOB: b', cast, { turnGapMs: 0 }))).toEqual([{ say: 'a', voice: 'nova' }, { say: 'b', voice: 'onyx' }]);
  });
});

describe('dialogues: a label not in the cast', () => {
  const failure = (text: string) => {
    try {
      readDialogue(text, cast, { fileName: 'play.txt' });
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      return [(error as UsageError).message, (error as UsageError).hint];
    }
    throw new Error('expected a UsageError');
  };

  test('is an error that lists the cast and says how to go on', () => {
    expect(failure('ALICE: Hi.\n\n  ALCIE: Typo.')).toEqual([
      'In play.txt, line 3, column 3: "ALCIE" is not in the cast (ALICE, BOB, Dr. Jane Smith)',
      'Add it to the cast (ALCIE=voice), fix the name, or write \\ALCIE: to say the line as written.',
    ]);
  });

  test.each([
    ['Note: prose that looks like a label', 'Note'],
    ['Speaker 3: who?', 'Speaker 3'],
    ['ALICE: ok\nCAROL (aside): hm', 'CAROL'],
  ])('%j names %s', (text, name) => {
    expect(failure(text)[0]).toContain(`"${name}" is not in the cast`);
  });
});

describe('dialogues: the map back to the source', () => {
  test('each turn points into the script, labels and indentation skipped', () => {
    const text = 'Intro.\nALICE: One\n   two\n\nthree\nBOB (dryly): Four.';
    const texts = speechTexts(readDialogue(text, cast));
    expect(texts.map((t) => runPairs(t, text))).toEqual([
      [['Intro.', 'Intro.']],
      [
        ['One\n', 'One\n'],
        // The paragraph break stands where the blank line was, so one run covers it.
        ['two\n\nthree', 'two\n\nthree'],
      ],
      [['Four.', 'Four.']],
    ]);
  });

  test('an escaped line skips its backslash', () => {
    const text = 'ALICE: a\n\\Note: b';
    const [turn] = speechTexts(readDialogue(text, cast));
    expect(runPairs(turn!, text)).toEqual([
      ['a\n', 'a\n'],
      ['Note: b', 'Note: b'],
    ]);
  });
});

describe('dialogues: a long one', () => {
  const speakers = ['ALICE', 'BOB', 'Dr. Jane Smith'];
  const lines = Array.from({ length: 600 }, (_, i) => `${speakers[i % 3]}: Line ${i}, said in turn.\nAnd its second line ${i}.`);
  const text = lines.join('\n\n');

  test('hundreds of turns stay in order, each in its voice, a gap between each', () => {
    const segments = readDialogue(text, cast);
    expect(segments).toHaveLength(600 * 2 - 1);
    const turns = view(segments).filter((s) => 'say' in s);
    expect(turns.map((t) => ('say' in t ? t.voice : ''))).toEqual(lines.map((_, i) => ['nova', 'onyx', 'shimmer'][i % 3]));
    expect(turns.map((t) => ('say' in t ? t.say : ''))).toEqual(lines.map((_, i) => `Line ${i}, said in turn.\nAnd its second line ${i}.`));
    expect(segments.filter((s) => s.kind === 'pause')).toHaveLength(599);
  });

  test('every turn maps back to its own lines', () => {
    const wrong = speechTexts(readDialogue(text, cast)).filter((spoken) => {
      const start = sourceOffset(spoken, 0);
      const secondLine = sourceOffset(spoken, spoken.text.indexOf('And'));
      return text.slice(start, start + spoken.text.length) !== spoken.text || !text.startsWith('And', secondLine);
    });
    expect(wrong).toEqual([]);
  });
});
