import { describe, expect, test } from 'vitest';
import { emptyPlan, planRequests, type PlanOptions } from '../../src/plan/plan-requests.js';
import type { Segment } from '../../src/plan/segment.js';
import { cutPlan } from '../../src/speak/cut-plan.js';
import { RunControl } from '../../src/speak/run-control.js';
import { holdRequestEvents, type SpeakEvents } from '../../src/speak/speak-events.js';
import { verbatim } from '../../src/text/spoken-text.js';

const settings = { model: 'tts-1', voice: 'alloy', speed: undefined, instructions: undefined, streamFormat: 'audio' as const };
const options: PlanOptions = { settings, maxChars: 4000, firstChunkMaxChars: 200 };
/** About 600,000 characters in paragraphs: long enough that cutting it takes many event-loop turns' worth. */
const BOOK: Segment[] = [
  { kind: 'chapter', title: 'One' },
  {
    kind: 'speech',
    text: verbatim(Array.from({ length: 2000 }, (_, p) => `Paragraph ${p + 1} begins. It tells a little more of the story, and then a little more. It ends here, for now.`.repeat(3)).join('\n\n')),
    style: {},
  },
  { kind: 'pause', ms: 500 },
  { kind: 'speech', text: verbatim('The last words.'), style: { voice: 'nova' } },
];

/** What an event loop turn sees of the plan: the requests cut by then. */
const afterATurn = (plan: { requests: unknown[] }): Promise<number> => new Promise((resolve) => setImmediate(() => resolve(plan.requests.length)));

describe('cutting the plan while request 0 is on its way', () => {
  test('request 0 is sent the moment it is cut; the event loop turns while the rest is cut; the plan is the whole plan', async () => {
    const plan = emptyPlan();
    let cutWhenSent = -1;
    let cutAfterATurn: Promise<number> | undefined;
    await cutPlan(BOOK, {
      plan: options,
      into: plan,
      control: new RunControl(new AbortController().signal),
      sendFirst: () => {
        cutWhenSent = plan.requests.length;
        cutAfterATurn = afterATurn(plan);
      },
    });
    expect(cutWhenSent).toBe(1);
    // I/O (the request's connection, a Ctrl-C) went on while most of the text was still uncut.
    expect(await cutAfterATurn).toBeLessThan(plan.requests.length / 2);
    expect(plan).toEqual(planRequests(BOOK, options));
    expect(plan.requests[0]!.text.length).toBeLessThanOrEqual(200);
  });

  test('a run that fails meanwhile (request 0 refused) stops the cutting: the rest is not needed', async () => {
    const plan = emptyPlan();
    const control = new RunControl(new AbortController().signal);
    await cutPlan(BOOK, { plan: options, into: plan, control, sendFirst: () => setImmediate(() => control.fail(new Error('401 from the provider'))) });
    expect(control.failed).toBe(true);
    expect(plan.requests.length).toBeLessThan(planRequests(BOOK, options).requests.length / 2);
  });

  test('nothing to say: nothing is sent', async () => {
    let sent = false;
    const plan = emptyPlan();
    await cutPlan([{ kind: 'pause', ms: 200 }], { plan: options, into: plan, control: new RunControl(new AbortController().signal), sendFirst: () => (sent = true) });
    expect(sent).toBe(false);
    expect(plan.items).toEqual([{ kind: 'pause', ms: 200 }]);
  });
});

describe('what requests report before the plan is announced', () => {
  const recorder = () => {
    const said: string[] = [];
    const events: SpeakEvents = {
      warn: (m) => said.push(`warn ${m}`),
      note: (m) => said.push(`note ${m}`),
      planned: (p) => said.push(`planned ${p.requests.length}`),
      requestDone: (i) => said.push(`done ${i}`),
      retrying: (i) => said.push(`retrying ${i}`),
      exchange: (info) => said.push(`exchange ${info.index}`),
    };
    return { said, events };
  };
  const exchange = { index: 0, attempt: 1, url: 'u', headers: {}, body: '', ms: 5 };

  test('waits for the plan; warnings do not', () => {
    const { said, events } = recorder();
    const held = holdRequestEvents(events);
    held.events.exchange!(exchange);
    held.events.requestDone(0, { cached: true, chars: 12 });
    held.events.warn('instructions ignored');
    held.events.planned({ ...emptyPlan(), requests: [] });
    held.release();
    held.events.requestDone(1, { cached: false, chars: 12 });
    expect(said).toEqual(['warn instructions ignored', 'planned 0', 'exchange 0', 'done 0', 'done 1']);
  });

  test('a run that fails before its plan is announced still shows what its request said, but no progress', () => {
    const { said, events } = recorder();
    const held = holdRequestEvents(events);
    held.events.requestDone(0, { cached: true, chars: 12 });
    held.events.exchange!(exchange);
    held.abandon();
    expect(said).toEqual(['exchange 0']);
  });
});
