import { AudioError } from '../errors.js';

/** The errno codes that mean "no room": the disk, the user's quota, or the largest file allowed. */
const NO_ROOM: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'the file is larger than the disk or the limits allow',
};

/** Whether `error` says the output ran out of room, as opposed to any other failure. */
export function isNoRoom(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && code in NO_ROOM;
}

/**
 * A failed write to `where`, said the way a user can act on it. Running out of room is an audio
 * failure (exit 5) with a hint, never an "unexpected error"; `roomHint` says what to do when the
 * room that ran out is not the output's.
 */
export function writeError(error: unknown, where: string, { roomHint = 'Free some space, or write the audio somewhere else.' }: { roomHint?: string } = {}): AudioError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && code in NO_ROOM) {
    return new AudioError(`Cannot write ${where}: ${NO_ROOM[code]} (${code})`, { hint: roomHint, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AudioError(`Cannot write ${where}: ${message}`, { cause: error });
}
