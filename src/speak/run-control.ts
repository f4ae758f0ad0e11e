import { setMaxListeners } from 'node:events';
import { InterruptedError } from '../errors.js';

/**
 * How one job stops. The first failure wins and is what the user sees. Any failure stops new work
 * (`stop`): nothing new is sent and no retry waits. Ctrl-C (the outer signal) is a failure too; the
 * scheduler aborts the requests in flight on the same signal.
 */
export class RunControl {
  private readonly stopController = new AbortController();
  private firstFailure: { error: unknown } | undefined;
  private readonly onOuterAbort = (): void => this.fail(new InterruptedError());

  constructor(private readonly outer: AbortSignal) {
    // Every request waiting in the scheduler listens for the stop: as many as the look-ahead window.
    setMaxListeners(0, this.stopController.signal);
    outer.addEventListener('abort', this.onOuterAbort, { once: true });
    if (outer.aborted) this.onOuterAbort();
  }

  get stop(): AbortSignal {
    return this.stopController.signal;
  }

  get failed(): boolean {
    return this.firstFailure !== undefined;
  }

  get failure(): unknown {
    return this.firstFailure?.error;
  }

  fail(error: unknown): void {
    this.firstFailure ??= { error: this.outer.aborted ? new InterruptedError() : error };
    this.stopController.abort();
  }

  /** Throws the failure, if there was one. */
  check(): void {
    if (this.firstFailure) throw this.firstFailure.error;
  }

  dispose(): void {
    this.outer.removeEventListener('abort', this.onOuterAbort);
  }
}
