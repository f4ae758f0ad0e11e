import type { AudioFormat } from '../audio/formats.js';
import type { PlannedRequest } from '../plan/plan-requests.js';
import { sourceOffset } from '../text/spoken-text.js';
import type { TimelineEvent, TimelineSink } from '../timeline/timeline.js';
import { splitCues, type CueText } from './cues.js';
import { SampleCollector, type RequestSamples } from './request-samples.js';
import type { TimedCue, TimelineSummary } from './subtitle-formats.js';

/** Where each cue of one request starts and ends, in seconds from the start of its audio. */
export type CueSpans = { start: number; end: number }[];

/** Finds each cue in a request's audio (src/align). Runs off the main thread. */
export interface CueAligner {
  align(job: { audio: RequestSamples; cues: readonly CueText[]; requestText: string; speed?: number | undefined }, signal: AbortSignal): Promise<CueSpans>;
  close(): Promise<void>;
}

/** Whoever wants timed cues: a subtitle file, the player's display. */
export interface CueConsumer {
  cue(cue: TimedCue): Promise<void> | void;
  finish(summary: TimelineSummary): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface CueTimerOptions {
  consumers: CueConsumer[];
  /** Made on first use: the aligner's worker and eSpeak load only when there is audio to align. */
  aligner(): Promise<CueAligner>;
  signal: AbortSignal;
  /** Requests whose alignment may run behind the writer before it waits: bounds memory. */
  maxPending?: number;
  /** Said once if a request's audio could not be aligned and its cues were timed by length instead. */
  warn?(message: string): void;
}

/** A timeline event waiting for its cue times, kept in output order. */
interface Pending {
  event: TimelineEvent;
  cues: CueText[];
  spans: Promise<CueSpans> | CueSpans;
}

/**
 * Times every cue of the run. Request boundaries are exact (the output's own sample counts); inside
 * a request each cue is found in the audio by the aligner. Where the server's audio cannot be read
 * (aac), each sentence was its own request, so sentence times are the requests' own, and the pieces
 * of a long sentence share its time by their length.
 */
export class CueTimer implements TimelineSink {
  readonly wantsSamples = true;
  private collector: SampleCollector | undefined;
  private aligner: Promise<CueAligner> | undefined;
  private readonly pending: Pending[] = [];
  private readonly summary: TimelineSummary = { requests: [], marks: [], chapters: [], duration: 0 };
  private number = 0;

  constructor(private readonly options: CueTimerOptions) {}

  start(wire: AudioFormat): void {
    if (wire === 'pcm' || wire === 'wav') this.collector = new SampleCollector(wire);
  }

  audio(bytes: Uint8Array): void {
    this.collector?.push(bytes);
  }

  async event(event: TimelineEvent): Promise<void> {
    if (event.kind !== 'request') {
      this.pending.push({ event, cues: [], spans: [] });
    } else {
      const cues = splitCues(event.request.text);
      this.pending.push({ event, cues, spans: this.spansOf(event, cues) });
    }
    while (this.pending.length > (this.options.maxPending ?? 2)) await this.emitFirst();
  }

  async finish(end: number): Promise<void> {
    while (this.pending.length > 0) await this.emitFirst();
    this.summary.duration = end;
    await this.closeAligner();
    for (const consumer of this.options.consumers) await consumer.finish(this.summary);
  }

  async commit(): Promise<void> {
    for (const consumer of this.options.consumers) await consumer.commit();
  }

  async abort(): Promise<void> {
    await this.closeAligner().catch(() => undefined);
    await Promise.all(this.options.consumers.map((c) => c.abort()));
  }

  private spansOf(event: Extract<TimelineEvent, { kind: 'request' }>, cues: CueText[]): Promise<CueSpans> | CueSpans {
    if (!this.collector) return shareByLength(cues, event.end - event.start);
    const audio = this.collector.take();
    this.aligner ??= this.options.aligner();
    const { text, settings } = event.request;
    const spans = this.aligner.then((a) => a.align({ audio, cues, requestText: text, speed: settings.speed }, this.options.signal));
    // A request the aligner cannot read (audio too short, a reference it cannot make) still gets
    // its cues, timed by length inside its exact span; a run is never lost to its subtitles.
    return spans.catch((error: unknown) => {
      if (this.options.signal.aborted) throw error;
      this.warnOnce(`the speech of chunk ${event.request.index + 1} could not be aligned (${error instanceof Error ? error.message : String(error)}); its subtitles are timed by length`);
      return shareByLength(cues, event.end - event.start);
    });
  }

  private async emitFirst(): Promise<void> {
    const { event, cues, spans } = this.pending.shift()!;
    if (event.kind === 'chapter') this.summary.chapters.push({ index: event.index, title: event.title, start: event.start });
    if (event.kind === 'mark') this.summary.marks.push({ name: event.name, time: event.at });
    if (event.kind !== 'request') return;
    const times = contiguous(await spans, event.end - event.start);
    const { request, start } = event;
    this.summary.requests.push({ index: request.index, start, end: event.end, source: sourceSpan(request, 0, request.text.length), voice: request.settings.voice });
    for (const mark of request.marks) this.summary.marks.push({ name: mark.name, time: start + timeAt(mark.at, cues, times) });
    for (const [i, cue] of cues.entries()) {
      const timed: TimedCue = { number: ++this.number, start: start + times[i]!.start, end: start + times[i]!.end, lines: cue.lines, source: sourceSpan(request, cue.start, cue.end), request: request.index };
      for (const consumer of this.options.consumers) await consumer.cue(timed);
    }
  }

  private warned = false;

  private warnOnce(message: string): void {
    if (!this.warned) this.options.warn?.(message);
    this.warned = true;
  }

  private async closeAligner(): Promise<void> {
    const aligner = this.aligner;
    this.aligner = undefined;
    if (aligner) await (await aligner).close();
  }
}

function sourceSpan(request: PlannedRequest, start: number, end: number): { start: number; end: number } {
  return { start: sourceOffset(request.spoken, start), end: sourceOffset(request.spoken, end) };
}

/** Cues that share one stretch of audio by their length in characters. */
export function shareByLength(cues: readonly CueText[], seconds: number): CueSpans {
  const total = cues.reduce((sum, c) => sum + (c.end - c.start), 0) || 1;
  let at = 0;
  return cues.map((c) => {
    const start = at;
    at += ((c.end - c.start) / total) * seconds;
    return { start, end: at };
  });
}

/**
 * Each cue lasts until the next one starts, so the text on screen changes exactly at the boundary
 * the aligner found (inside the pause between sentences), and never shows a gap or an overlap.
 */
export function contiguous(spans: CueSpans, length: number): CueSpans {
  return spans.map((span, i) => {
    const start = Math.min(Math.max(0, span.start), length);
    const next = spans[i + 1]?.start ?? Math.max(span.end, start);
    return { start, end: Math.min(Math.max(start, next), length) };
  });
}

/** The time of a text offset: a cue's start, or a share of the cue it falls in. */
function timeAt(offset: number, cues: readonly CueText[], times: CueSpans): number {
  const i = cues.findIndex((c) => offset < c.end);
  if (i < 0) return times.at(-1)?.end ?? 0;
  const cue = cues[i]!;
  const span = times[i]!;
  if (offset <= cue.start) return span.start;
  return span.start + ((offset - cue.start) / (cue.end - cue.start)) * (span.end - span.start);
}
