import { TtsError, type ErrorKind } from '../errors.js';

export const EXIT_OK = 0;
export const EXIT_UNEXPECTED = 1;

const BY_KIND: Record<ErrorKind, number> = {
  usage: 2,
  config: 3,
  provider: 4,
  audio: 5,
  interrupted: 130,
};

export function exitCodeFor(error: unknown): number {
  return error instanceof TtsError ? BY_KIND[error.kind] : EXIT_UNEXPECTED;
}
