import { constants } from 'node:os';
import { InterruptedError, PartialFailure, TtsError, type ErrorKind } from '../errors.js';

export const EXIT_OK = 0;
export const EXIT_UNEXPECTED = 1;

const BY_KIND: Record<ErrorKind, number> = {
  usage: 2,
  config: 3,
  provider: 4,
  audio: 5,
  interrupted: 130,
};

/**
 * Each kind of error has its code. A signal gives 128 + its number, as a shell reports a process
 * that a signal ended: 130 for Ctrl-C (SIGINT), 143 for SIGTERM, 129 for SIGHUP (a closed
 * terminal); a stop with no signal named is 130.
 */
export function exitCodeFor(error: unknown): number {
  if (error instanceof PartialFailure) return exitCodeFor(error.first);
  if (error instanceof InterruptedError && error.signal !== undefined) {
    const number = (constants.signals as Partial<Record<NodeJS.Signals, number>>)[error.signal];
    if (number !== undefined) return 128 + number;
  }
  return error instanceof TtsError ? BY_KIND[error.kind] : EXIT_UNEXPECTED;
}
