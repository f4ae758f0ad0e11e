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
