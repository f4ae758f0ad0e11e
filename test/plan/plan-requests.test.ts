import { describe, expect, test } from 'vitest';
import { planRequests, resolveStyle, type PlanOptions } from '../../src/plan/plan-requests.js';
import type { Segment } from '../../src/plan/segment.js';
import { sourceOffset, verbatim } from '../../src/text/spoken-text.js';

const settings = { model: 'tts-1', voice: 'alloy', speed: undefined, instructions: undefined, streamFormat: 'audio' as const };
const options = (extra: Partial<PlanOptions> = {}): PlanOptions => ({ settings, maxChars: 40, ...extra });
const say = (text: string, source = 0, style = {}): Segment => ({ kind: 'speech', text: verbatim(text, source), style });

describe('planning requests', () => {
  test('plain text is cut at sentences under the limit, nothing lost', () => {
    const plan = planRequests([say('One two three. Four five six. Seven eight nine. Ten.')], options());
    expect(plan.requests.map((r) => r.text)).toEqual(['One two three. Four five six.', 'Seven eight nine. Ten.']);
    expect(plan.characters).toBe(51);
    expect(plan.items.every((i) => i.kind === 'request')).toBe(true);
  });

  test('the first request is short when someone listens', () => {
    const plan = planRequests([say('One two three. Four five six. Seven.')], options({ firstChunkMaxChars: 16 }));
    expect(plan.requests.map((r) => r.text)).toEqual(['One two three.', 'Four five six. Seven.']);
  });

  test('neighbouring speech in one style shares a request; a new voice starts another', () => {
    const plan = planRequests([say('Hello'), say('there.'), say('Hi.', 0, { voice: 'nova' })], options());
    expect(plan.requests.map((r) => [r.text, r.settings.voice])).toEqual([['Hello there.', 'alloy'], ['Hi.', 'nova']]);
  });

  test('a request never straddles a pause or a chapter', () => {
    const plan = planRequests(
      [say('A.'), { kind: 'pause', ms: 500 }, say('B.'), { kind: 'chapter', title: 'Two' }, say('C.')],
      options(),
    );
    expect(plan.items.map((i) => (i.kind === 'request' ? i.request.text : i.kind))).toEqual(['A.', 'pause', 'B.', 'chapter', 'C.']);
    expect(plan.requests.map((r) => r.chapter)).toEqual([undefined, undefined, 0]);
    expect(plan.chapters).toEqual([{ title: 'Two', number: 1 }]);
  });

  test('a mark stays inside its request, at its offset; one at the end stands alone', () => {
    const plan = planRequests([say('Start here.'), { kind: 'mark', name: 'm1' }, say('Then on.'), { kind: 'mark', name: 'end' }], options());
    expect(plan.requests).toHaveLength(1);
    expect(plan.requests[0]!.marks).toEqual([{ name: 'm1', at: 11 }]);
    expect(plan.items.at(-1)).toEqual({ kind: 'mark', name: 'end' });
  });

  test('a script rate multiplies --speed, within what providers take', () => {
    expect(resolveStyle({ ...settings, speed: 1.5 }, { speed: 2 }).speed).toBe(3);
    expect(resolveStyle({ ...settings, speed: 3 }, { speed: 2 }).speed).toBe(4);
    expect(resolveStyle(settings, { speed: 0.1 }).speed).toBe(0.25);
    expect(resolveStyle(settings, {}).speed).toBeUndefined();
  });

  test('every sentence alone, when each must be its own request', () => {
    const plan = planRequests([say('One. Two two. Three.')], options({ sentencesAlone: true }));
    expect(plan.requests.map((r) => r.text)).toEqual(['One.', 'Two two.', 'Three.']);
  });

  test('each request maps back to where its text sits in the input', () => {
    const input = 'Intro text here. Second sentence is here. Third one.';
    const plan = planRequests([say(input.slice(17), 17)], options({ maxChars: 30 }));
    for (const r of plan.requests) {
      const start = sourceOffset(r.spoken, 0);
      expect(input.slice(start, start + r.text.length)).toBe(r.text);
    }
  });
});
