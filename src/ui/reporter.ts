import type { Writable } from 'node:stream';
import { Redactor } from '../config/secrets.js';
import type { WaitReason } from '../schedule/rate-policy.js';
import { escapeControls, escapeJsonControls } from '../text/control-characters.js';

export interface ReporterOptions {
  stderr: Writable & { isTTY?: boolean; columns?: number };
  quiet: boolean;
  /** CI logs are not terminals worth animating, even when they claim to be. */
  ci: boolean;
  /** NO_COLOR (no-color.org): the spinner is drawn without color. */
  noColor?: boolean;
  now?: () => number;
  /** Secrets known so far; shared, so one learnt later is hidden from then on. */
  redactor?: Redactor;
}

/** The run holds its requests until `untilMs` (Date.now's clock), `ms` from when it said so. */
export interface ProgressWait {
  untilMs: number;
  ms: number;
  reason: WaitReason;
}

const WAIT_CAUSES: Readonly<Record<WaitReason, string>> = {
  'retry-after': 'as the provider asked (retry-after)',
  quota: "for the provider's rate limit to reset",
  refused: 'after a refusal (429) that named no wait',
  rpm: 'for --rpm',
};

/** "waiting 12 s for the provider's rate limit to reset": a wait as the user reads it. */
export function describeWait(wait: { ms: number; reason: WaitReason }): string {
  const seconds = wait.ms / 1000;
  return `waiting ${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s ${WAIT_CAUSES[wait.reason]}`;
}

export interface ProgressState {
  chunksDone: number;
  chunks: number;
  charsDone: number;
  chars: number;
  /** Several outputs: how many are done. */
  files?: { done: number; total: number } | undefined;
  /** The chapter or file being written, when there are several. */
  current?: string | undefined;
}

/**
 * Every word for people goes to stderr through here, with every secret hidden and every control
 * character escaped (a provider's message or a file name must not drive the terminal). A spinner
 * with progress is drawn only on a terminal, never under --quiet or CI, and is cleared before any
 * other line and on every exit path.
 */
export class Reporter {
  private spinner: { text: string; stop(): void; clear(): void; render(): void; start(): unknown } | undefined;
  private startedAt = 0;
  private progressText = '';
  /** The output or chapter the line names, as last drawn. */
  private current: string | undefined;
  /** The sentence being heard, while playing: shown instead of the progress. */
  private speakingText: string | undefined;
  private wait: ProgressWait | undefined;
  /** Redraws the wait's countdown each second. */
  private waitTimer: ReturnType<typeof setInterval> | undefined;
  private readonly now: () => number;
  readonly interactive: boolean;
  readonly redactor: Redactor;

  constructor(private readonly options: ReporterOptions) {
    this.now = options.now ?? Date.now;
    this.redactor = options.redactor ?? new Redactor();
    // A terminal that reports no width (a pty nobody sized, some consoles) would make the spinner's
    // line arithmetic run away: ora emitted 53 MB of cursor moves for one line there.
    this.interactive = Boolean(options.stderr.isTTY) && (options.stderr.columns ?? 0) > 0 && !options.quiet && !options.ci;
  }

  /** Warnings are shown even under --quiet: they say the output differs from what was asked. */
  warn(message: string): void {
    this.line(`tts: warning: ${message}`);
  }

  info(message: string): void {
    if (!this.options.quiet) this.line(message);
  }

  /** Messages that must show whatever the flags, such as errors. */
  line(message: string): void {
    this.spinner?.clear();
    this.options.stderr.write(`${this.printable(message)}\n`);
    this.spinner?.render();
  }

  /** Text as it may be printed anywhere: secrets hidden, control characters escaped. */
  printable(text: string): string {
    return escapeControls(this.redactor.redact(text));
  }

  /** The same for JSON, which stays valid JSON. */
  printableJson(json: string): string {
    return escapeJsonControls(this.redactor.redact(json));
  }

  async startProgress(text: string): Promise<void> {
    this.startedAt = this.now();
    if (!this.interactive) return;
    const { default: ora } = await import('ora');
    // Whether to draw was decided above (terminal, not quiet, not CI); ora is not asked again.
    this.spinner = ora({ text, stream: this.options.stderr as NodeJS.WriteStream, isEnabled: true, discardStdin: false, color: this.options.noColor ? false : 'cyan' });
    this.spinner.start();
  }

  progress(state: ProgressState): void {
    if (!this.spinner) return;
    const elapsed = (this.now() - this.startedAt) / 1000;
    const share = state.chars > 0 ? state.charsDone / state.chars : 0;
    const left = share > 0 && share < 1 ? ` · ~${clock((elapsed / share) * (1 - share))} left` : '';
    const files = state.files ? `${state.files.done}/${state.files.total} files · ` : '';
    const current = state.current ? ` · ${state.current}` : '';
    this.progressText = `Speaking: ${files}${state.chunksDone}/${state.chunks} chunks · ${state.charsDone.toLocaleString('en')}/${state.chars.toLocaleString('en')} characters · ${clock(elapsed)}${left}${current}`;
    this.draw();
    // The spinner redraws on its own timer; a new file or chapter is shown at once, so even one
    // written within a frame (its audio already fetched) is named.
    if (state.current !== this.current) this.spinner.render();
    this.current = state.current;
  }

  /** The run waits on the provider's limit (undefined: it goes on): shown after the progress, counting down. */
  waiting(wait: ProgressWait | undefined): void {
    this.wait = wait;
    clearInterval(this.waitTimer);
    this.waitTimer = undefined;
    if (wait && this.spinner) {
      this.waitTimer = setInterval(() => this.draw(), 1000);
      this.waitTimer.unref();
    }
    this.draw();
  }

  /** While playing: the sentence being heard, or undefined to go back to the progress. */
  speaking(text: string | undefined): void {
    this.speakingText = text;
    this.draw();
  }

  private draw(): void {
    if (!this.spinner) return;
    // One line: a sentence wider than the terminal would wrap and break the spinner's redraw.
    const width = Math.max(10, (this.options.stderr.columns ?? 80) - 4);
    const left = this.wait ? this.wait.untilMs - this.now() : 0;
    const waiting = this.wait && left > 0 ? ` · ${describeWait({ ms: left, reason: this.wait.reason })}` : '';
    const text = this.speakingText !== undefined ? `♪ ${this.printable(this.speakingText)}` : `${this.progressText}${waiting}`;
    this.spinner.text = [...text].length > width ? `${[...text].slice(0, width - 1).join('')}…` : text;
  }

  stopProgress(): void {
    clearInterval(this.waitTimer);
    this.waitTimer = undefined;
    this.spinner?.stop();
    this.spinner = undefined;
  }
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
