import type { ProviderError } from '../errors.js';
import type { Plan } from '../plan/plan-requests.js';
import type { RunWait } from '../schedule/scheduler.js';

/** What a run tells the user's interface as it goes. */
export interface SpeakEvents {
  /** The output differs from what was asked: shown even under --quiet. */
  warn(message: string): void;
  /** What was done on the user's behalf, worth a line. */
  note(message: string): void;
  planned(plan: Plan): void;
  requestDone(index: number, info: { cached: boolean; chars: number }): void;
  retrying(index: number, error: ProviderError, attempt: number, delayMs: number): void;
  /**
   * The run holds its requests for the provider's rate limit (or --rpm) until `untilMs`; undefined
   * when it goes on. Sent by the run's scheduler, which every job shares, so the caller wires it.
   */
  waiting?: ((wait: RunWait | undefined) => void) | undefined;
  /** One request and how it went, for --verbose and --debug. */
  exchange?: ((info: ExchangeInfo) => void) | undefined;
}

export interface ExchangeInfo {
  index: number;
  attempt: number;
  url: string;
  headers: Record<string, string>;
  body: string;
  ms: number;
  /** Bytes of audio received, when it succeeded. */
  bytes?: number | undefined;
  requestId?: string | undefined;
  error?: unknown;
}

/** Events that may come before `planned`, and how to let them through once it has been said. */
export interface HeldEvents {
  events: SpeakEvents;
  /** The plan has been announced: what was held is said now, in order, and nothing more is held. */
  release(): void;
  /** The run failed before its plan was announced: the diagnostics are said, the progress dropped. */
  abandon(): void;
}

/**
 * The run's events, with what its requests report (done, retrying, an exchange) held back until
 * `release`: request 0 is sent while the plan is still being cut, and every interface should hear of
 * the plan before anything of its requests. Warnings and notes pass at once.
 */
export function holdRequestEvents(events: SpeakEvents): HeldEvents {
  let held: { say: () => void; progress: boolean }[] | undefined = [];
  const later = (say: () => void, { progress = false } = {}): void => void (held ? held.push({ say, progress }) : say());
  const flush = ({ progress }: { progress: boolean }): void => {
    const waiting = held ?? [];
    held = undefined;
    for (const event of waiting) if (progress || !event.progress) event.say();
  };
  const { exchange, waiting } = events;
  return {
    events: {
      warn: (message) => events.warn(message),
      note: (message) => events.note(message),
      planned: (plan) => events.planned(plan),
      requestDone: (index, info) => later(() => events.requestDone(index, info), { progress: true }),
      retrying: (index, error, attempt, delayMs) => later(() => events.retrying(index, error, attempt, delayMs)),
      waiting,
      exchange: exchange && ((info) => later(() => exchange(info))),
    },
    release: () => flush({ progress: true }),
    abandon: () => flush({ progress: false }),
  };
}
