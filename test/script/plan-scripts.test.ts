import { describe, expect, test } from 'vitest';
import { planRequests } from '../../src/plan/plan-requests.js';
import { applyLexicon } from '../../src/script/apply-lexicon.js';
import { parseCast } from '../../src/script/parse-cast.js';
import { readLexiconLines } from '../../src/script/parse-lexicon.js';
import { readDialogue } from '../../src/script/read-dialogue.js';
import { readSsml } from '../../src/script/read-ssml.js';
import { sourceOffset } from '../../src/text/spoken-text.js';

/** The readers' segments through the planner: what a run would send, and in what order. */
const settings = { model: 'gpt-4o-mini-tts', voice: 'alloy', speed: 1.5, instructions: undefined, streamFormat: 'audio' as const };
const planOf = (segments: Parameters<typeof planRequests>[0]) =>
  planRequests(segments, { settings, maxChars: 4000 }).items.map((item) =>
    item.kind === 'request' ? [item.request.text, item.request.settings.voice, item.request.settings.speed, item.request.settings.instructions] : item.kind === 'pause' ? ['pause', item.ms] : [item.kind],
  );

describe('scripts as the planner sees them', () => {
  test('SSML: voices and rates become request settings, breaks exact pauses, rates multiplied with --speed', () => {
    const ssml = '<speak><p>Welcome.</p><break time="1s"/><voice name="nova"><prosody rate="slow">Slowly <mark name="m"/>now.</prosody></voice> Back.</speak>';
    expect(planOf(readSsml(ssml).segments)).toEqual([
      ['Welcome.', 'alloy', 1.5, undefined],
      ['pause', 1000],
      ['Slowly now.', 'nova', 1.125, undefined],
      ['Back.', 'alloy', 1.5, undefined],
    ]);
  });

  test('a dialogue: one request a turn in its voice, a gap between speakers, pronunciation applied first', () => {
    const text = 'ALICE: We use SQL.\nBOB (puzzled): SQL?\nALICE: Yes, SQL.';
    const lexicon = readLexiconLines('SQL = sequel', 'words.txt');
    const { segments } = applyLexicon(readDialogue(text, parseCast('ALICE=nova,BOB=onyx:dry')), lexicon);
    expect(planOf(segments)).toEqual([
      ['We use sequel.', 'nova', 1.5, undefined],
      ['pause', 300],
      ['sequel?', 'onyx', 1.5, 'dry; puzzled'],
      ['pause', 300],
      ['Yes, sequel.', 'nova', 1.5, undefined],
    ]);
    const last = planRequests(segments, { settings, maxChars: 4000 }).requests[2]!;
    expect(sourceOffset(last.spoken, last.text.indexOf('sequel'))).toBe(text.lastIndexOf('SQL'));
  });
});
