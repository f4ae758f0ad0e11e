import type { AudioFormat } from '../audio/formats.js';
import { createJoiner, planOutputs, type OutputPlan, type OutputRequest } from '../audio/format-plan.js';
import { codecOf } from '../audio/formats.js';
import type { BookTags } from '../audio/tags/book-tags.js';
import type { BookInfo } from '../audio/tags/tagged-joiner.js';
import type { ChunkStore } from '../cache/chunk-store.js';
import { UsageError } from '../errors.js';
import type { HttpClient } from '../http/http-client.js';
import type { AudioSink } from '../output/audio-sink.js';
import { emptyPlan, planRequests, resolveStyle, type Plan, type PlanOptions, type RunSettings } from '../plan/plan-requests.js';
import type { DocumentInfo, Segment } from '../plan/segment.js';
import type { PreparedSpeech, ProviderSpec } from '../providers/provider-spec.js';
import type { ResolvedProvider } from '../providers/registry.js';
import type { Scheduler } from '../schedule/scheduler.js';
import { codePointLength } from '../text/chunk-text.js';
import type { TimelineSink } from '../timeline/timeline.js';
import { cutPlan } from './cut-plan.js';
import { OutputSet, type JoinedOutput } from './output-set.js';
import { RequestFeed } from './request-feed.js';
import { requestTask, RunTally } from './request-task.js';
import { RunControl } from './run-control.js';
import { holdRequestEvents, type SpeakEvents } from './speak-events.js';
import { writePlan } from './write-plan.js';

export type { ExchangeInfo, SpeakEvents } from './speak-events.js';

/** Characters kept in reserve below a provider's limit: how it counts is not documented. */
export const CHUNK_MARGIN = 96;
/** The first chunk when someone is listening: a sentence or two, so sound starts after one short request. */
export const FIRST_CHUNK_CHARS = 200;

export interface SpeakOutput {
  sink: AudioSink;
  request: OutputRequest;
}

export interface SpeakJob {
  segments: readonly Segment[];
  provider: ResolvedProvider;
  settings: RunSettings;
  /** Where the audio goes: one request per chunk serves them all. */
  outputs: SpeakOutput[];
  /** What follows the audio in time: subtitles, chapters, the player's display. */
  timeline: TimelineSink[];
  /** What the files say about the book (title, author, cover, track): written with the chapters. */
  info?: BookMetadata | undefined;
  /** Shared by every job of a run: one budget of requests in flight and one rate limit. */
  scheduler: Scheduler;
  /** The job's place among the run's jobs: its requests are sent before those of later jobs. */
  order?: number | undefined;
  store: ChunkStore;
  /** Whether finished chunks outlive the run, so a failure can say that a rerun resumes. */
  resumable: boolean;
  timeoutMs: number;
  concurrency: number;
  http: HttpClient;
  signal: AbortSignal;
  events: SpeakEvents;
}

export interface SpeakReport {
  chunks: number;
  characters: number;
  /** Characters sent this run: cache hits cost nothing. */
  sentCharacters: number;
  requests: number;
  retries: number;
  cacheHits: number;
  requestIds: string[];
  wire: AudioFormat;
  /** Of the first output. */
  audioSeconds: number | undefined;
  bytes: number;
}

export interface PlanChoice {
  /** Someone listens as it arrives (a pipe, the speakers): a short first request. */
  live: boolean;
  /** Every sentence its own request: when the audio cannot be aligned but sentence times are wanted. */
  sentencesAlone?: boolean | undefined;
}

/** How segments are cut into requests for `spec`: under its limit less a margin. */
export function planOptionsFor(spec: ProviderSpec, settings: RunSettings, choice: PlanChoice): PlanOptions {
  return {
    settings,
    maxChars: spec.maxInputChars - CHUNK_MARGIN,
    firstChunkMaxChars: choice.live ? FIRST_CHUNK_CHARS : undefined,
    sentencesAlone: choice.sentencesAlone,
  };
}

/** The whole plan at once: for a dry run and a batch's totals. */
export function planFor(segments: readonly Segment[], spec: ProviderSpec, settings: RunSettings, choice: PlanChoice): Plan {
  return planRequests(segments, planOptionsFor(spec, settings, choice));
}

/**
 * Speaks the segments into every output: cuts them into requests, has the scheduler fetch them
 * (cache first, in parallel, ahead of the writer by a bounded window; request 0 as soon as it is
 * cut), writes them in order through each output's joiner and tells the timeline sinks where
 * everything landed. On success every output is committed; on any failure or interrupt all are
 * aborted, leaving no partial output, while finished requests stay in the store.
 */
export async function speak(job: SpeakJob): Promise<SpeakReport> {
  try {
    return await speakInto(job);
  } catch (error) {
    // Whatever stopped it (a refusal before anything was sent, a failed request, Ctrl-C while the
    // plan was still being cut), no output or subtitle file is left half made.
    await Promise.all([...job.outputs.map((o) => o.sink.abort()), ...job.timeline.map((t) => t.abort())]);
    throw error;
  }
}

async function speakInto(job: SpeakJob): Promise<SpeakReport> {
  const { spec } = job.provider;
  const formats = planOutputs(job.outputs.map((o) => o.request), spec.formats, spec.description, { samples: job.timeline.some((t) => t.wantsSamples) });
  refuseUnseekableContainers(job.outputs);
  const sentencesAlone = job.timeline.some((t) => t.wantsSamples) && formats.wire !== 'pcm' && formats.wire !== 'wav';
  const planOptions = planOptionsFor(spec, job.settings, { live: job.outputs.some((o) => o.sink.live), sentencesAlone });
  // Everything that can refuse the run does so before request 0 goes out.
  const prepared = await prepareAll(job, planOptions, formats);
  announceFormats(job, formats);
  const tally = new RunTally();
  const { plan, outputs } = await run(job, { planOptions, formats, tally, prepared });
  return {
    chunks: plan.requests.length,
    characters: plan.characters,
    sentCharacters: tally.sentCharacters,
    requests: tally.requests,
    retries: tally.retries,
    cacheHits: tally.cacheHits,
    requestIds: tally.requestIds,
    wire: formats.wire,
    audioSeconds: outputs.seconds(),
    bytes: outputs.bytes,
  };
}

interface RunParts {
  planOptions: PlanOptions;
  formats: OutputPlan;
  tally: RunTally;
  prepared: (settings: RunSettings) => PreparedSpeech;
}

/**
 * Cuts the plan while its first request is on the way, then fetches and writes it all and commits
 * every output. On failure, requests already sent settle into the store (the provider bills them
 * anyway) and the failure is thrown for speak() to undo the outputs.
 */
async function run(job: SpeakJob, parts: RunParts): Promise<{ plan: Plan; outputs: OutputSet }> {
  const control = new RunControl(job.signal);
  control.check();
  const plan = emptyPlan();
  const held = holdRequestEvents(job.events);
  let cut = false;
  const feed = newFeed(job, { ...parts, plan, control, events: held.events, count: () => (cut ? plan.requests.length : undefined) });
  let outputs: OutputSet | undefined;
  const onStop = (): void => feed.stopReaders(control.failure);
  control.stop.addEventListener('abort', onStop, { once: true });
  try {
    await cutPlan(job.segments, { plan: parts.planOptions, into: plan, control, sendFirst: () => feed.sendAhead(1) });
    control.check();
    cut = true;
    job.events.planned(plan);
    held.release();
    outputs = new OutputSet(await joinedOutputs(job, parts.formats, plan));
    for (const sink of job.timeline) sink.start?.(parts.formats.wire);
    await write(job, { plan, feed, outputs, wire: parts.formats.wire });
  } catch (error) {
    control.fail(error);
  } finally {
    control.stop.removeEventListener('abort', onStop);
    control.dispose();
    held.abandon();
    await feed.settle();
    await feed.close();
  }
  control.check();
  return { plan, outputs: outputs! };
}

interface FeedParts extends RunParts {
  plan: Plan;
  control: RunControl;
  events: SpeakEvents;
  count(): number | undefined;
}

function newFeed(job: SpeakJob, parts: FeedParts): RequestFeed {
  const { plan, tally, events } = parts;
  return new RequestFeed({
    requests: plan.requests,
    scheduler: job.scheduler,
    store: job.store,
    control: parts.control,
    window: Math.max(2 * job.concurrency, 8),
    task: (request) =>
      requestTask(request, { provider: job.provider, job: job.order ?? 0, wire: parts.formats.wire, prepared: (r) => parts.prepared(r.settings), http: job.http, timeoutMs: job.timeoutMs, tally, events, count: parts.count, resumable: job.resumable }),
    done: (request, info) => {
      if (info.cached) tally.cacheHits++;
      events.requestDone(request.index, { cached: info.cached, chars: codePointLength(request.text) });
    },
  });
}

/** Writes the plan into every output; commits files first, then the timeline, then what plays. */
async function write(job: SpeakJob, parts: { plan: Plan; feed: RequestFeed; outputs: OutputSet; wire: AudioFormat }): Promise<void> {
  const live = job.outputs.some((o) => o.sink.live);
  await writePlan({ plan: parts.plan, feed: parts.feed, outputs: parts.outputs, timeline: job.timeline, follow: live, resumable: parts.wire === 'pcm' });
  // Files first: a file is whole once the last request is joined, so it (and its subtitles) are
  // renamed into place before waiting for the speakers to finish; a problem or Ctrl-C while the
  // end still plays keeps them.
  await parts.outputs.commit({ live: false });
  for (const sink of job.timeline) await sink.commit();
  await parts.outputs.commit({ live: true });
}

/** A book's metadata for its files' tags; a track number when each chapter is a file of its own. */
export interface BookMetadata extends DocumentInfo {
  /** The book a chapter's file belongs to (its title is the chapter's). */
  album?: string | undefined;
  track?: { number: number; total?: number | undefined } | undefined;
}

/**
 * Each output's joiner: the codec's joiner, wrapped where the file carries tags and chapter marks.
 * Tags need a file that can seek (the chapter times are patched in at the end); a pipe gets the
 * audio alone.
 */
async function joinedOutputs(job: SpeakJob, formats: OutputPlan, plan: Plan): Promise<JoinedOutput[]> {
  const book = await bookInfo(job.info, plan);
  const unmarked = job.outputs.some((o) => !o.sink.seekable && !o.request.player);
  if (unmarked && book.chapterTitles.length > 0) job.events.note('chapter marks need a file: a pipe or device gets the audio alone.');
  return Promise.all(
    job.outputs.map(async (o, i) => {
      const joiner = await createJoiner({ wire: formats.wire, output: formats.formats[i]! }, { seekable: o.sink.seekable });
      const tagged = o.sink.seekable && !o.request.player && (book.chapterTitles.length > 0 || hasTags(book.tags) || codecOf(o.request.format) !== o.request.format);
      // The tag writers (a dozen modules) load only for a file that carries tags: not before a piped run's first request.
      return { sink: o.sink, joiner: tagged ? (await import('../audio/tags/tagged-joiner.js')).tagJoiner(joiner, o.request.format, book) : joiner };
    }),
  );
}

async function bookInfo(info: BookMetadata | undefined, plan: Plan): Promise<BookInfo> {
  const cover = info?.cover ? (await import('../audio/tags/cover-image.js')).coverImage(info.cover.data) : undefined;
  const tags: BookTags = { title: info?.title, author: info?.author, album: info?.album, track: info?.track, cover };
  return { tags, chapterTitles: plan.chapters.map((c) => c.title) };
}

/** An MP4 (m4a, m4b) writes its index at the end: a pipe or a device cannot take one. */
function refuseUnseekableContainers(outputs: readonly SpeakOutput[]): void {
  const mp4 = outputs.find((o) => codecOf(o.request.format) !== o.request.format && !o.sink.seekable);
  if (mp4) throw new UsageError(`${mp4.request.format} needs a file it can seek in (its index is written at the end)`, { hint: `Write it to a file: -o book.${mp4.request.format}` });
}

const hasTags = (tags: BookTags): boolean => Object.values(tags).some((v) => v !== undefined);

/**
 * The provider's adapter for each distinct setting the segments speak with, made once, before
 * anything is sent; warnings said once.
 */
async function prepareAll(job: SpeakJob, planOptions: PlanOptions, formats: OutputPlan): Promise<(settings: RunSettings) => PreparedSpeech> {
  const { spec, connection } = job.provider;
  const byKey = new Map<string, PreparedSpeech>();
  const warned = new Set<string>();
  const keyOf = (settings: RunSettings): string => JSON.stringify([settings.voice, settings.speed, settings.instructions, settings.model]);
  for (const settings of spokenSettings(job.segments, planOptions.settings)) {
    const key = keyOf(settings);
    if (byKey.has(key)) continue;
    const prepared = spec.prepare(connection, { ...settings, format: formats.wire });
    byKey.set(key, prepared);
    for (const warning of prepared.warnings.filter((w) => !warned.has(w))) {
      warned.add(warning);
      job.events.warn(warning);
    }
    if (prepared.kind === 'in-process') await prepared.check(job.signal);
  }
  for (const warning of formats.notes) job.events.warn(warning);
  for (const remark of formats.remarks) job.events.note(remark);
  return (settings) => byKey.get(keyOf(settings))!;
}

/** The settings of every segment with something to say, in order: those the plan's requests carry. */
function* spokenSettings(segments: readonly Segment[], settings: RunSettings): Generator<RunSettings> {
  for (const segment of segments) {
    if (segment.kind === 'speech' && segment.text.text.trim() !== '') yield resolveStyle(settings, segment.style);
  }
}

function announceFormats(job: SpeakJob, formats: OutputPlan): void {
  const { spec } = job.provider;
  job.outputs.forEach((o, i) => {
    const format = formats.formats[i]!;
    o.sink.accept?.(format);
    // The built-in voice always makes formats here; for a server it is worth saying.
    if (!o.request.player && format !== formats.wire && !spec.inProcess && !spec.formats.includes(format)) {
      job.events.note(`${spec.description} cannot send ${format}: asking for ${formats.wire} and making ${format} here.`);
    }
  });
}
