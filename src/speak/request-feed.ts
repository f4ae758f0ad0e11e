import type { ChunkStore } from '../cache/chunk-store.js';
import type { PlannedRequest } from '../plan/plan-requests.js';
import type { ChunkBuffer } from '../schedule/chunk-buffer.js';
import type { AudioTask, ScheduledAudio, Scheduler } from '../schedule/scheduler.js';
import type { RunControl } from './run-control.js';

export interface RequestFeedOptions {
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

  constructor(private readonly options: RequestFeedOptions) {}

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
   * Once every request sent has settled: one in flight when the job fails finishes into the store,
   * since the provider bills it anyway (Ctrl-C aborts it instead; one still queued was dropped).
   */
  async close(): Promise<void> {
    await Promise.allSettled(this.scheduled.map((s) => s.done));
    await Promise.all(this.opened.map((b) => b.close()));
  }

  private sendThrough(last: number): void {
    const { requests, scheduler, control } = this.options;
    while (this.scheduled.length <= last && !control.failed) {
      const request = requests[this.scheduled.length]!;
      const scheduled = scheduler.run(this.options.task(request), control.stop);
      scheduled.buffer.then((b) => this.opened.push(b), () => undefined);
      scheduled.done.then(
        (info) => this.options.done(request, info),
        (error) => control.fail(error),
      );
      this.scheduled.push(scheduled);
    }
  }
}
