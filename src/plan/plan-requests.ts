import type { SpeechSettings } from '../providers/provider-spec.js';
import { codePointLength, textChunks } from '../text/chunk-text.js';
import { sliceSpoken, SpokenTextBuilder, type SpokenText } from '../text/spoken-text.js';
import type { Segment, SpeechStyle } from './segment.js';

/** The settings of a run before a format is chosen: the flags and config. */
export type RunSettings = Omit<SpeechSettings, 'format'>;

/** What one request says and how: the unit the scheduler fetches and the cache keeps. */
export interface PlannedRequest {
  /** Its place among the plan's requests, from 0. */
  index: number;
  /** Exactly what is sent. */
  text: string;
  /** `text` with its map back to the input. */
  spoken: SpokenText;
  settings: RunSettings;
  /** The chapter it belongs to (from 0), when the input has chapters. */
  chapter: number | undefined;
  /** Marks inside the request: each at a UTF-16 offset into `text`. */
  marks: { name: string; at: number }[];
}

/** The plan in the order the output plays it. */
export type PlanItem =
  | { kind: 'request'; request: PlannedRequest }
  | { kind: 'pause'; ms: number }
  | { kind: 'chapter'; index: number; title: string; number: number }
  /** A mark with no request after it to carry it (at the end, or before a pause). */
  | { kind: 'mark'; name: string };

export interface Plan {
  items: PlanItem[];
  requests: PlannedRequest[];
  /** Code points sent, over all requests: what providers bill. */
  characters: number;
  /** In output order; `number` is the chapter's place in the whole book, from 1. */
  chapters: { title: string; number: number }[];
}

export interface PlanOptions {
  settings: RunSettings;
  /** Most code points a request may carry. */
  maxChars: number;
  /** A shorter first request, so sound starts after one short round trip. */
  firstChunkMaxChars?: number | undefined;
  /** Every sentence its own request (subtitles where the audio cannot be aligned). */
  sentencesAlone?: boolean | undefined;
}

/** The speeds a provider takes: --speed times a script's rate stays within them. */
export const MIN_SPEED = 0.25;
export const MAX_SPEED = 4;

/** A segment's style applied over the run's settings. */
export function resolveStyle(settings: RunSettings, style: SpeechStyle): RunSettings {
  const factor = style.speed;
  const speed = factor === undefined ? settings.speed : Math.min(MAX_SPEED, Math.max(MIN_SPEED, (settings.speed ?? 1) * factor));
  return {
    ...settings,
    voice: style.voice ?? settings.voice,
    speed,
    instructions: style.instructions ?? settings.instructions,
  };
}

const sameSettings = (a: RunSettings, b: RunSettings): boolean =>
  a.model === b.model && a.voice === b.voice && a.speed === b.speed && a.instructions === b.instructions && a.streamFormat === b.streamFormat;

/** Neighbouring speech with the same settings, not yet cut into requests. */
interface OpenGroup {
  settings: RunSettings;
  text: SpokenTextBuilder;
  marks: { name: string; at: number }[];
}

/**
 * Turns segments into requests and the pauses, chapter marks and marks between them. Neighbouring
 * speech with the same settings shares requests up to the limit; a request never mixes settings and
 * never straddles a pause or a chapter. Pure: the same segments always give the same plan.
 */
export function planRequests(segments: readonly Segment[], options: PlanOptions): Plan {
  const plan = emptyPlan();
  for (const item of planItems(segments, options)) addToPlan(plan, item);
  return plan;
}

export const emptyPlan = (): Plan => ({ items: [], requests: [], characters: 0, chapters: [] });

/** One item of `planItems` into the plan it belongs to, in order. */
export function addToPlan(plan: Plan, item: PlanItem): void {
  plan.items.push(item);
  if (item.kind === 'request') {
    plan.requests.push(item.request);
    plan.characters += codePointLength(item.request.text);
  }
  if (item.kind === 'chapter') plan.chapters.push({ title: item.title, number: item.number });
}

/** What has been planned so far: where the next request and chapter go. */
interface PlanCount {
  requests: number;
  chapters: number;
}

/**
 * `planRequests` item by item, as the text is cut: the first request comes out before the rest of a
 * long text is cut, so it can be sent meanwhile.
 */
export function* planItems(segments: readonly Segment[], options: PlanOptions): Generator<PlanItem> {
  const count: PlanCount = { requests: 0, chapters: 0 };
  let open: OpenGroup | undefined;
  for (const segment of segments) {
    if (segment.kind === 'speech') {
      const settings = resolveStyle(options.settings, segment.style);
      if (open && !sameSettings(open.settings, settings)) {
        yield* cutGroup(open, count, options);
        open = undefined;
      }
      open ??= { settings, text: new SpokenTextBuilder(), marks: [] };
      appendSpeech(open.text, segment.text);
    } else if (segment.kind === 'mark' && open) {
      open.marks.push({ name: segment.name, at: open.text.textLength });
    } else {
      if (open) yield* cutGroup(open, count, options);
      open = undefined;
      if (segment.kind === 'chapter') {
        count.chapters++;
        yield { kind: 'chapter', index: count.chapters - 1, title: segment.title, number: segment.number ?? count.chapters };
      } else {
        yield segment;
      }
    }
  }
  if (open) yield* cutGroup(open, count, options);
}

/** Joins speech to what is open, with a space where two words would otherwise touch. */
function appendSpeech(builder: SpokenTextBuilder, spoken: SpokenText): void {
  const before = builder.lastCharacter;
  if (before !== '' && !/\s/.test(before) && !/^\s/.test(spoken.text)) builder.insert(' ');
  builder.add(spoken);
}

/** Cuts one group into requests at sentence boundaries, under the limit. */
function* cutGroup(group: OpenGroup, count: PlanCount, options: PlanOptions): Generator<PlanItem> {
  const spoken = group.text.build();
  const chunks = textChunks(spoken.text, {
    maxChars: options.maxChars,
    firstChunkMaxChars: count.requests === 0 ? options.firstChunkMaxChars : undefined,
    sentencesAlone: options.sentencesAlone,
  });
  const chapter = count.chapters > 0 ? count.chapters - 1 : undefined;
  let pendingMarks = group.marks;
  for (const chunk of chunks) {
    // A mark belongs to the request whose text starts at or after it (a mark between two requests
    // goes with the later one, at its start).
    const mine = pendingMarks.filter((m) => m.at < chunk.end);
    pendingMarks = pendingMarks.filter((m) => m.at >= chunk.end);
    const request: PlannedRequest = {
      index: count.requests++,
      text: chunk.text,
      spoken: sliceSpoken(spoken, chunk.start, chunk.end),
      settings: group.settings,
      chapter,
      marks: mine.map((m) => ({ name: m.name, at: Math.max(0, m.at - chunk.start) })),
    };
    yield { kind: 'request', request };
  }
  for (const mark of pendingMarks) yield { kind: 'mark', name: mark.name };
}
