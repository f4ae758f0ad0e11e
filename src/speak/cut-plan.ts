import { addToPlan, planItems, type Plan, type PlanOptions } from '../plan/plan-requests.js';
import type { Segment } from '../plan/segment.js';
import type { RunControl } from './run-control.js';

/**
 * How long cutting runs at a stretch before it lets the event loop turn: request 0's cache lookup,
 * connection and upload, and a Ctrl-C, go on between stretches.
 */
const STRETCH_MS = 1;

export interface CutPlanOptions {
  plan: PlanOptions;
  /** Filled in as the text is cut. */
  into: Plan;
  control: RunControl;
  /** Request 0 is in the plan: send it now. */
  sendFirst(): void;
}

/**
 * Cuts the segments into the plan, sending request 0 the moment it is cut: on a long text its audio
 * is on the way while the rest is cut (a 1 MB book takes a good fraction of a second to cut), and the
 * first sound waits on one short cut, not on all of them. Stops early once the run has failed (a
 * refused key on request 0): the rest of the plan is not needed then.
 */
export async function cutPlan(segments: readonly Segment[], options: CutPlanOptions): Promise<void> {
  let stretchStart = performance.now();
  let sent = false;
  for (const item of planItems(segments, options.plan)) {
    addToPlan(options.into, item);
    const first = !sent && item.kind === 'request';
    if (first) {
      options.sendFirst();
      sent = true;
    }
    // Right after sending, a turn at once: the request starts on its way before the cutting goes on.
    if (first || performance.now() - stretchStart >= STRETCH_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      if (options.control.failed) return;
      stretchStart = performance.now();
    }
  }
}
