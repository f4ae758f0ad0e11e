import type { Readable, Writable } from 'node:stream';
import type { Env } from '../config/env.js';
import type { ProviderSpec } from '../providers/provider-spec.js';

/** Everything the CLI touches of its process, handed in so tests can run it in-process. */
export interface CliIo {
  argv: readonly string[];
  env: Env;
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /** Injectable so tests of retries and rate limits do not wait (a test clock moves with its sleeps). */
  sleep?(ms: number, signal: AbortSignal): Promise<void>;
  now?(): number;
  random?(): number;
  /** The providers known by name, when not the built-ins: a test brings a provider of its own. */
  providers?: readonly ProviderSpec[];
}
