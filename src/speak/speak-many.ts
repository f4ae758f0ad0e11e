import { InterruptedError } from '../errors.js';
import { speak, type SpeakEvents, type SpeakJob, type SpeakReport } from './speak.js';

export type JobOutcome = { ok: true; report: SpeakReport } | { ok: false; error: unknown };

export interface SpeakManyOptions {
  /**
   * Jobs running at once. Two keep the shared scheduler busy across a boundary: while one job's
   * last requests finish, the next one's are already queued behind them.
   */
  overlap?: number;
  signal: AbortSignal;
  /** Each job's outcome as it ends, for the progress line. */
  onOutcome?(index: number, outcome: JobOutcome): void;
}

/**
 * Several jobs (files, chapters) through one scheduler, so they share one budget of requests and
 * one rate limit. Each job is made when its turn comes (its output opened then, not all at once); a
 * job's requests go before those of the jobs after it, so the one being written is never kept waiting
 * by another's look-ahead. A job starts only once the one before has planned all its requests: while
 * that one's text is still being cut, the next one's would otherwise take the free slots. A job that
 * fails does not stop the others: each outcome is reported. Ctrl-C stops them all.
 */
export async function speakMany(jobs: readonly (() => Promise<SpeakJob>)[], options: SpeakManyOptions): Promise<JobOutcome[]> {
  const outcomes: JobOutcome[] = new Array<JobOutcome>(jobs.length);
  // One iterator handed to every lane: each job is taken exactly once, in order.
  const queue = jobs.entries();
  // Settles when the job taken last has planned its requests (or ended): the next one's wait.
  let lastPlanned: Promise<void> = Promise.resolve();
  const lane = async (): Promise<void> => {
    for (const [index, job] of queue) {
      const turn = lastPlanned;
      let plannedNow = (): void => undefined;
      lastPlanned = new Promise((resolve) => (plannedNow = resolve));
      if (options.signal.aborted) {
        outcomes[index] = { ok: false, error: new InterruptedError() };
      } else {
        outcomes[index] = await job()
          .then(async (made) => {
            // The job before goes first: were its text still being cut, this one's first request
            // would take the free slot and the file being written would wait behind the next.
            await turn;
            const events: SpeakEvents = { ...made.events, planned: (plan) => (made.events.planned(plan), plannedNow()) };
            return speak({ ...made, order: made.order ?? index, events });
          })
          .then(
            (report): JobOutcome => ({ ok: true, report }),
            (error: unknown): JobOutcome => ({ ok: false, error }),
          );
        options.onOutcome?.(index, outcomes[index]);
      }
      plannedNow();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.overlap ?? 2, jobs.length)) }, lane));
  return outcomes;
}
