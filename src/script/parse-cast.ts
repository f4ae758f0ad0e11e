import { UsageError } from '../errors.js';

export interface CastMember {
  /** As the cast wrote it, for messages. */
  name: string;
  voice: string;
  /** How this speaker talks, for models that take instructions ("warm, unhurried"). */
  instructions?: string | undefined;
}

/** Speakers by their label key (see `castKey`). */
export type Cast = ReadonlyMap<string, CastMember>;

/**
 * A speaker's name as a script labels a turn: a letter first, then up to four words of letters,
 * digits and name punctuation ("Dr. Jane", "O'Hara", "Speaker 2"), 32 characters at most.
 */
export const SPEAKER_NAME = String.raw`\p{L}[\p{L}\p{M}\p{N}'’._-]*(?:[ \t]+[\p{L}\p{N}][\p{L}\p{M}\p{N}'’._-]*){0,3}`;
export const MAX_NAME_LENGTH = 32;

/** Labels match whatever their case and spacing: "ALICE:", "Alice:" and "alice :" are one speaker. */
export function castKey(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

const CAST_HINT = 'Write NAME=voice pairs separated by commas, e.g. "ALICE=nova,BOB=onyx", optionally with instructions: "ALICE=nova:warm and unhurried".';

/**
 * Reads a cast, `NAME=voice[:instructions],NAME=voice…`, as given with --cast or the `cast` config
 * key. Instructions may contain commas: an entry ends only where a comma is followed by the next
 * `NAME=`.
 */
export function parseCast(spec: string): Cast {
  const cast = new Map<string, CastMember>();
  const entries = spec.trim().replace(/^[\s,]+|[\s,]+$/g, '');
  if (entries === '') throw new UsageError('The cast is empty', { hint: CAST_HINT });
  for (const entry of entries.split(/,(?=[^,=]*=)/)) {
    const member = parseEntry(entry.trim());
    const key = castKey(member.name);
    if (cast.has(key)) throw new UsageError(`${member.name} is in the cast twice`, { hint: CAST_HINT });
    cast.set(key, member);
  }
  return cast;
}

function parseEntry(entry: string): CastMember {
  const equals = entry.indexOf('=');
  if (equals === -1) throw new UsageError(`The cast entry "${entry}" has no voice`, { hint: CAST_HINT });
  const name = entry.slice(0, equals).trim().replace(/\s+/g, ' ');
  const rest = entry.slice(equals + 1);
  const colon = rest.indexOf(':');
  const voice = (colon === -1 ? rest : rest.slice(0, colon)).trim();
  const instructions = colon === -1 ? '' : rest.slice(colon + 1).trim();
  if (!new RegExp(`^${SPEAKER_NAME}$`, 'u').test(name) || name.length > MAX_NAME_LENGTH) {
    throw new UsageError(`"${name}" cannot be a speaker's name in a cast`, {
      hint: `A name starts with a letter and has at most 4 words and ${MAX_NAME_LENGTH} characters; the script labels its lines "NAME: …".`,
    });
  }
  if (voice === '') throw new UsageError(`${name} has no voice in the cast`, { hint: CAST_HINT });
  // Commas may stand in instructions only: "ALICE=nova,BOB" lacks BOB's voice.
  const stray = voice.indexOf(',');
  if (stray !== -1) throw new UsageError(`The cast entry "${voice.slice(stray + 1).trim()}" has no voice`, { hint: CAST_HINT });
  return instructions === '' ? { name, voice } : { name, voice, instructions };
}
