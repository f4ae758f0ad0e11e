import type { RateLimits } from './http/rate-limit-headers.js';

/**
 * Every failure a user can meet is one of these kinds. Only `cli/` turns a kind into an exit code,
 * so the rest of the code can throw without knowing how the process ends.
 */
export type ErrorKind = 'usage' | 'config' | 'provider' | 'audio' | 'interrupted';

export interface TtsErrorOptions {
  /** What the user can do about it, printed after the message. */
  hint?: string | undefined;
  cause?: unknown;
}

export class TtsError extends Error {
  readonly kind: ErrorKind;
  readonly hint: string | undefined;

  constructor(kind: ErrorKind, message: string, options: TtsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TtsError';
    this.kind = kind;
    this.hint = options.hint;
  }
}

export class UsageError extends TtsError {
  constructor(message: string, options: TtsErrorOptions = {}) {
    super('usage', message, options);
    this.name = 'UsageError';
  }
}

export class ConfigError extends TtsError {
  constructor(message: string, options: TtsErrorOptions = {}) {
    super('config', message, options);
    this.name = 'ConfigError';
  }
}

export class AudioError extends TtsError {
  constructor(message: string, options: TtsErrorOptions = {}) {
    super('audio', message, options);
    this.name = 'AudioError';
  }
}

export class InterruptedError extends TtsError {
  /** The signal that asked us to stop, when one did: the exit code says which. */
  readonly signal: NodeJS.Signals | undefined;

  constructor(message = 'Interrupted', signal?: NodeJS.Signals) {
    super('interrupted', message);
    this.name = 'InterruptedError';
    this.signal = signal;
  }
}

export interface ProviderErrorDetails {
  provider: string;
  status?: number | undefined;
  code?: string | undefined;
  type?: string | undefined;
  requestId?: string | undefined;
  /** Whether sending the same request again may succeed (429, 5xx, a dropped connection…). */
  retryable: boolean;
  /** Server-requested wait before a retry, in milliseconds, when it named one. */
  retryAfterMs?: number | undefined;
  /** What the refusal said about the key's rate limits, for the scheduler's pacing. */
  limits?: RateLimits | undefined;
}

/** The provider answered with an error, or could not be reached. */
export class ProviderError extends TtsError {
  readonly details: ProviderErrorDetails;

  constructor(message: string, details: ProviderErrorDetails, options: TtsErrorOptions = {}) {
    super('provider', message, options);
    this.name = 'ProviderError';
    this.details = details;
  }
}

/**
 * Some outputs of a batch failed while others were written. Each failure is named in the run's
 * summary (and its JSON); this carries the exit code of the first, and says how many.
 */
export class PartialFailure extends TtsError {
  /** The first failure, in the order the files were given: the run's exit code is its code. */
  readonly first: unknown;

  constructor(first: unknown, message: string, options: TtsErrorOptions = {}) {
    // A failure that is not tts's own kind (a bug) has no kind of its own here; its exit code stays its own.
    super(first instanceof TtsError ? first.kind : 'provider', message, options);
    this.name = 'PartialFailure';
    this.first = first;
  }
}
