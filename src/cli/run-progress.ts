import type { ProviderError } from '../errors.js';
import type { SpeakEvents } from '../speak/speak.js';
import type { RunWait } from '../schedule/scheduler.js';
import { describeWait, type ProgressState, type Reporter } from '../ui/reporter.js';
import { exchangeLines } from './run-summary.js';
import type { SpeakOptions } from './speak-options.js';

/**
 * Progress over a whole run, however many outputs it has: requests and characters done of all,
 * files done of all, and the output being written. Each job reports through its own events.
 */
export class RunProgress {
  private readonly state: ProgressState = { chunksDone: 0, chunks: 0, charsDone: 0, chars: 0 };
  /**
   * The outputs that have ended. Two run at once in a batch (the next one's requests queue behind the
   * last of this one's) and may be planned in either order: the line names the first output, in the
   * order they are written, that has not ended, never the one queued behind it.
   */
  private readonly ended = new Set<string>();

  constructor(
    private readonly options: SpeakOptions,
    private readonly reporter: Reporter,
    private readonly run: {
      /** Headers --debug shows masked: the provider's own secrets besides the key. */
      secretHeaders: readonly string[];
      totals?: { chunks: number; chars: number; files: number };
      /** Every output's label, in the order they are written. */
      labels?: readonly string[];
    },
  ) {
    const { totals } = run;
    if (totals) Object.assign(this.state, { chunks: totals.chunks, chars: totals.chars, files: { done: 0, total: totals.files } });
  }

  /** The events of one job; `label` names it on the progress line when there are several. */
  events(label?: string): SpeakEvents {
    const { reporter, options, state } = this;
    return {
      warn: (message) => reporter.warn(label ? `${label}: ${message}` : message),
      note: (message) => reporter.info(`tts: ${message}`),
      planned: (plan) => {
        // One job alone learns its size here; a batch knew every job's before it began.
        if (!state.files) Object.assign(state, { chunks: plan.requests.length, chars: plan.characters });
        state.current = this.beingWritten();
        reporter.progress(state);
      },
      requestDone: (_index, info) => {
        state.chunksDone++;
        state.charsDone += info.chars;
        reporter.progress(state);
      },
      retrying: (index, error: ProviderError, attempt, delayMs) => {
        reporter.info(`tts: ${label ? `${label}, ` : ''}chunk ${index + 1}: ${error.message}; retry ${attempt} of ${options.retries} in ${(delayMs / 1000).toFixed(1)} s`);
      },
      exchange: options.verbose ? (info) => exchangeLines(info, { chunks: state.chunks, debug: options.debug, secretHeaders: this.run.secretHeaders }).forEach((line) => reporter.line(line)) : undefined,
    };
  }

  /** A book's chapter has begun in the output: the progress line names it. */
  chapter(title: string): void {
    this.state.current = title;
    this.reporter.progress(this.state);
  }

  /** The scheduler holds every request on a limit (or stops holding them: undefined). */
  waiting(wait: RunWait | undefined): void {
    const { reporter, options } = this;
    reporter.waiting(wait);
    // --rpm's own spacing is what was asked for: not worth a line. A long wait gets one in a log,
    // where no progress line shows it.
    if (wait && wait.reason !== 'rpm' && (options.verbose || (!reporter.interactive && wait.ms >= 10_000))) reporter.info(`tts: ${describeWait(wait)}`);
  }

  /** The output `label` has ended, written or failed. */
  fileDone(label: string): void {
    if (this.state.files) this.state.files.done++;
    this.ended.add(label);
    this.state.current = this.beingWritten();
    this.reporter.progress(this.state);
  }

  private beingWritten(): string | undefined {
    return this.run.labels?.find((label) => !this.ended.has(label));
  }
}
