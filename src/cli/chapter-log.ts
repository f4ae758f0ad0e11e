import type { TimelineEvent, TimelineSink } from '../timeline/timeline.js';

/** One chapter of the output: where it starts and how long it lasts, in seconds. */
export interface ChapterLength {
  title: string;
  start: number;
  seconds: number;
}

/**
 * A book's chapters as the run writes them: the progress line names the chapter being written, and
 * the summary gives each chapter's length. Chapter starts come from the timeline, so they are the
 * same sample-exact times the file's chapter marks carry.
 */
export class ChapterLog implements TimelineSink {
  private readonly starts: { title: string; start: number }[] = [];
  private end: number | undefined;

  constructor(private readonly onChapter: (title: string) => void) {}

  event(event: TimelineEvent): void {
    if (event.kind !== 'chapter') return;
    this.starts.push({ title: event.title, start: event.start });
    this.onChapter(event.title);
  }

  async finish(end: number): Promise<void> {
    this.end = end;
  }

  async commit(): Promise<void> {}

  async abort(): Promise<void> {}

  /** Each chapter's length, once the run has finished; none for a text without chapters. */
  lengths(): ChapterLength[] {
    const end = this.end;
    if (end === undefined) return [];
    return this.starts.map((c, i) => ({ ...c, seconds: (this.starts[i + 1]?.start ?? end) - c.start }));
  }
}
