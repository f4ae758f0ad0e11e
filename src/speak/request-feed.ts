import type { ChunkStore } from '../cache/chunk-store.js';
import type { PlannedRequest } from '../plan/plan-requests.js';
import type { ChunkBuffer } from '../schedule/chunk-buffer.js';
import type { AudioTask, ScheduledAudio, Scheduler } from '../schedule/scheduler.js';
import type { RunControl } from './run-control.js';

export interface RequestFeedOptions {
  /** The plan's requests; the array may still grow while the first are sent (`sendAhead`). */
  requests: readonly PlannedRequest[];
  scheduler: Scheduler;
  store: ChunkStore;
  control: RunControl;
  /**
   * How many requests may be sent ahead of the one being written. Audio fetched ahead waits on disk;
   * the window bounds open files, disk use and money spent before a Ctrl-C, whatever the length.
   */
  window: number;
  task(request: PlannedRequest): AudioTask;
  done(request: PlannedRequest, info: { cached: boolean }): void;
}

/**
 * A job's requests as the ordered writer wants them: asking for request i sends the next ones up
 * to the window, and a request that fails for good fails the job at once, whatever is being written.
 */
export class RequestFeed {
  private readonly scheduled: ScheduledAudio[] = [];
  private readonly opened: ChunkBuffer[] = [];
  private closed = false;

  constructor(private readonly options: RequestFeedOptions) {}

  /**
   * Sends the first `count` requests now, before the writer asks: request 0 goes out while the rest of
   * the plan (the same array, growing) is still being cut.
   */
  sendAhead(count: number): void {
    this.sendThrough(Math.min(this.options.requests.length, count) - 1);
  }

  async audio(index: number): Promise<ChunkBuffer> {
    this.sendThrough(Math.min(this.options.requests.length, index + this.options.window) - 1);
    this.options.control.check();
    return this.scheduled[index]!.buffer;
  }

  /** Request `index` is in the output: its file can go (scratch space), or stay (the cache). */
  async written(buffer: ChunkBuffer): Promise<void> {
    await buffer.close();
    await this.options.store.release(buffer.path);
  }

  /** Wakes a writer following a buffer, when the job fails elsewhere. */
  stopReaders(error: unknown): void {
    for (const buffer of this.opened) buffer.stopReaders(error);
  }

  /**
   * Waits for every request sent to end: after a failure, those in flight finish into the store
   * (the provider bills them anyway), so a rerun does not pay twice; Ctrl-C has aborted them.
   */
  async settle(): Promise<void> {
    await Promise.allSettled(this.scheduled.map((s) => s.done));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.opened.map((b) => b.close()));
  }

  private sendThrough(last: number): void {
    const { requests, scheduler, control } = this.options;
    while (this.scheduled.length <= last && !control.failed) {
      const request = requests[this.scheduled.length]!;
      const scheduled = scheduler.run(this.options.task(request), control.stop);
      // A request sent before the job stopped may open its file after close(): closed at once then.
      scheduled.buffer.then((b) => (this.closed ? void b.close() : this.opened.push(b)), () => undefined);
      scheduled.done.then(
        (info) => this.options.done(request, info),
        (error) => control.fail(error),
      );
      this.scheduled.push(scheduled);
    }
  }
}
