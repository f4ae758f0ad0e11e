import type { CueConsumer } from '../subtitles/cue-timer.js';
import type { TimedCue } from '../subtitles/subtitle-formats.js';

export interface NowSpeakingOptions {
  /** Shows a sentence on the status line, or clears it. */
  show(text: string | undefined): void;
  /** Seconds of audio heard by now (the player's clock). */
  heard(now: number): number | undefined;
  now?: () => number;
  /** How often the line is brought up to date. */
  intervalMs?: number;
}

/**
 * `--play` on a terminal: the sentence being spoken, on the status line, as it is heard. Cues come
 * from the cue timer a little ahead of the sound (the writer runs ahead of the speaker by the
 * player's buffer); each is shown from its start until the next one's.
 */
export class NowSpeaking implements CueConsumer {
  private readonly upcoming: TimedCue[] = [];
  private timer: NodeJS.Timeout | undefined;
  private shown: number | undefined;
  /** Every cue has come: the line clears once the last one has been heard. */
  private complete = false;

  constructor(private readonly options: NowSpeakingOptions) {}

  cue(cue: TimedCue): void {
    this.upcoming.push(cue);
    this.timer ??= setInterval(() => this.tick(), this.options.intervalMs ?? 100).unref();
  }

  /** Brings the line up to date; public so a test can step the clock. */
  tick(): void {
    const heard = this.options.heard((this.options.now ?? Date.now)());
    if (heard === undefined) return;
    while (this.upcoming.length > 1 && this.upcoming[1]!.start <= heard) this.upcoming.shift();
    if (this.complete && (this.upcoming.length === 0 || this.upcoming[this.upcoming.length - 1]!.end <= heard)) return this.stop();
    const current = this.upcoming[0];
    if (!current || current.start > heard || current.number === this.shown) return;
    this.shown = current.number;
    this.options.show(current.lines.join(' '));
  }

  async finish(): Promise<void> {}

  /** The run's files are in place; the speakers may still be playing the end. */
  async commit(): Promise<void> {
    this.complete = true;
  }

  async abort(): Promise<void> {
    this.stop();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.options.show(undefined);
  }
}
