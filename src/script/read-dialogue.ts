import { UsageError } from '../errors.js';
import type { Segment, SpeechStyle } from '../plan/segment.js';
import { SpokenTextBuilder } from '../text/spoken-text.js';
import { castKey, MAX_NAME_LENGTH, SPEAKER_NAME, type Cast, type CastMember } from './parse-cast.js';
import { describePlace } from './source-position.js';

/**
 * The silence added where one speaker hands over to another. People leave about 200 ms between
 * turns in conversation (Stivers et al., PNAS 2009, across ten languages), and each request's
 * audio already ends in the engine's own trailing silence (about 300 ms from eSpeak NG); 300 ms
 * more makes a change of speaker a beat longer than a sentence end within one voice, which is how
 * a listener tells turns apart, without the slack of a radio play's dead air.
 */
export const TURN_GAP_MS = 300;

export interface DialogueOptions {
  turnGapMs?: number | undefined;
  /** Names the input in messages. */
  fileName?: string | undefined;
}

/** `NAME:` or `NAME (direction):` at a line's start, followed by a space or the line's end. */
const LABEL = new RegExp(String.raw`^([ \t]*)(${SPEAKER_NAME})[ \t]*(?:\(([^()\n]*)\)[ \t]*)?:(?=[ \t]|$)`, 'u');
/** A label-shaped name that must be a speaker: every word capitalised ("Alcie", "Dr. Who", "Speaker 3"). */
const NAME_LIKE = /^\p{Lu}\S*(?:[ \t]+[\p{Lu}\p{N}]\S*)*$/u;

interface Turn {
  member: CastMember | undefined;
  /** A parenthesised stage direction after the label: "ALICE (whispering): …". */
  direction: string | undefined;
  text: SpokenTextBuilder;
  /** A blank line was met since the last text. */
  paragraph: boolean;
  /** Where the last line of text ended, for the line break that may join the next. */
  lineEnd: number;
}

/**
 * Reads a dialogue: a line starting `NAME:` is spoken by that cast member's voice, the label
 * unspoken, and lines after it without a label go on in the same voice; text before the first
 * label takes the run's own voice. Speaker changes are separated by a short pause. A name-like
 * label that is not in the cast ("Alcie:" for "Alice:") is a UsageError listing the cast, since
 * reading it as text would put the line in the wrong voice; an uncapitalised one ("and then she
 * said: no") is text. `\NAME:` says such a line as written.
 */
export function readDialogue(text: string, cast: Cast, options: DialogueOptions = {}): Segment[] {
  const fileName = options.fileName ?? 'the dialogue';
  const turns: Turn[] = [newTurn(undefined, undefined)];
  // Offsets stay those of the text as given, byte-order mark included.
  let lineStart = text.startsWith('\uFEFF') ? 1 : 0;
  for (let line = 1; lineStart <= text.length; line += 1) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const content = lineStart === lineEnd ? lineStart : labelledStart({ text, start: lineStart, end: lineEnd, number: line, fileName }, { cast, turns });
    addLine(turns[turns.length - 1]!, text, content, lineEnd);
    lineStart = lineEnd + 1;
  }
  return toSegments(turns, options.turnGapMs ?? TURN_GAP_MS);
}

/** One line of the dialogue: where it lies in the text, and where to say it is. */
interface DialogueLine {
  text: string;
  start: number;
  end: number;
  /** 1-based, for messages. */
  number: number;
  fileName: string;
}

/** Where the spoken part of a line starts; a label in the cast starts a turn (or goes on with one). */
function labelledStart({ text, start, end, number, fileName }: DialogueLine, { cast, turns }: { cast: Cast; turns: Turn[] }): number {
  const line = text.slice(start, end);
  const escaped = /^[ \t]*\\/.exec(line);
  if (escaped) return LABEL.test(line.slice(escaped[0].length)) ? start + escaped[0].length : start;
  const label = LABEL.exec(line);
  const name = label?.[2];
  if (!label || !name || name.length > MAX_NAME_LENGTH) return start;
  const indent = label[1] ?? '';
  const member = cast.get(castKey(name));
  if (!member) {
    if (!NAME_LIKE.test(name)) return start;
    const names = [...cast.values()].map((m) => m.name).join(', ');
    throw new UsageError(`In ${describePlace(fileName, { line: number, column: indent.length + 1 })}: "${name}" is not in the cast (${names})`, {
      hint: `Add it to the cast (${name}=voice), fix the name, or write \\${name}: to say the line as written.`,
    });
  }
  const current = turns[turns.length - 1]!;
  const cue = label[3]?.trim() || undefined;
  if (current.member === member && current.direction === cue) current.paragraph = true;
  else turns.push(newTurn(member, cue));
  return start + label[0].length;
}

/** Adds `text[from, lineEnd)` to the turn, trimmed; a blank line makes the next text a new paragraph. */
function addLine(turn: Turn, text: string, from: number, lineEnd: number): void {
  const line = text.slice(from, lineEnd);
  const lead = /^\s*/.exec(line)![0].length;
  const content = line.slice(lead).trimEnd();
  if (content === '') {
    turn.paragraph = true;
    return;
  }
  if (turn.text.textLength > 0) {
    if (turn.paragraph) turn.text.insert('\n\n');
    else turn.text.copy('\n', turn.lineEnd);
  }
  turn.text.copy(content, from + lead);
  turn.paragraph = false;
  turn.lineEnd = from + lead + content.length;
}

function toSegments(turns: readonly Turn[], gapMs: number): Segment[] {
  const segments: Segment[] = [];
  let speaker: Turn | undefined;
  for (const turn of turns) {
    if (turn.text.textLength === 0) continue;
    // Only a change of speaker is a turn; a new stage direction for the same one is not.
    if (speaker && speaker.member !== turn.member && gapMs > 0) segments.push({ kind: 'pause', ms: gapMs });
    segments.push({ kind: 'speech', text: turn.text.build(), style: styleOf(turn) });
    speaker = turn;
  }
  return segments;
}

function styleOf(turn: Turn): SpeechStyle {
  if (!turn.member) return {};
  const instructions = [turn.member.instructions, turn.direction].filter(Boolean).join('; ');
  return instructions === '' ? { voice: turn.member.voice } : { voice: turn.member.voice, instructions };
}

function newTurn(member: CastMember | undefined, direction: string | undefined): Turn {
  return { member, direction, text: new SpokenTextBuilder(), paragraph: false, lineEnd: 0 };
}
