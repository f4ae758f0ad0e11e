import type { AudioFormat } from '../audio/formats.js';
import { createJoiner, planOutputs, type OutputPlan, type OutputRequest } from '../audio/format-plan.js';
import { codecOf } from '../audio/formats.js';
import type { BookTags } from '../audio/tags/book-tags.js';
import type { BookInfo } from '../audio/tags/tagged-joiner.js';
import type { ChunkStore } from '../cache/chunk-store.js';
import { UsageError } from '../errors.js';
import type { HttpClient } from '../http/http-client.js';
import type { AudioSink } from '../output/audio-sink.js';
import { planRequests, type Plan, type PlannedRequest, type RunSettings } from '../plan/plan-requests.js';
import type { DocumentInfo, Segment } from '../plan/segment.js';
import type { PreparedSpeech, ProviderSpec } from '../providers/provider-spec.js';
import type { ResolvedProvider } from '../providers/registry.js';
import type { Scheduler } from '../schedule/scheduler.js';
import { codePointLength } from '../text/chunk-text.js';
import type { TimelineSink } from '../timeline/timeline.js';
import { OutputSet, type JoinedOutput } from './output-set.js';
import { RequestFeed } from './request-feed.js';
import { requestTask, RunTally } from './request-task.js';
import { RunControl } from './run-control.js';
import type { SpeakEvents } from './speak-events.js';
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
export function planFor(segments: readonly Segment[], spec: ProviderSpec, settings: RunSettings, choice: PlanChoice): Plan {
  return planRequests(segments, {
    settings,
    maxChars: spec.maxInputChars - CHUNK_MARGIN,
    firstChunkMaxChars: choice.live ? FIRST_CHUNK_CHARS : undefined,
    sentencesAlone: choice.sentencesAlone,
  });
}

/**
 * Speaks the segments into every output: plans the requests, has the scheduler fetch them (cache
 * first, in parallel, ahead of the writer by a bounded window), writes them in order through each
 * output's joiner and tells the timeline sinks where everything landed. On success every output is
 * committed; on any failure or interrupt all are aborted, leaving no partial output, while finished
 * requests stay in the store.
 */
export async function speak(job: SpeakJob): Promise<SpeakReport> {
  const { spec } = job.provider;
  const formats = planOutputs(job.outputs.map((o) => o.request), spec.formats, spec.description, { samples: job.timeline.some((t) => t.wantsSamples) });
  const sentencesAlone = job.timeline.some((t) => t.wantsSamples) && formats.wire !== 'pcm' && formats.wire !== 'wav';
  const plan = planFor(job.segments, spec, job.settings, { live: job.outputs.some((o) => o.sink.live), sentencesAlone });
  const prepared = await prepareAll(job, plan, formats);
  announceFormats(job, formats);
  job.events.planned(plan);
  const outputs = new OutputSet(await joinedOutputs(job, formats, plan));
  for (const sink of job.timeline) sink.start?.(formats.wire);
  const tally = new RunTally();
  await run(job, { plan, outputs, tally, prepared, wire: formats.wire });
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
  plan: Plan;
  outputs: OutputSet;
  tally: RunTally;
  prepared: (request: PlannedRequest) => PreparedSpeech;
  wire: AudioFormat;
}

/** Fetches and writes the plan; commits everything on success, undoes everything on failure. */
async function run(job: SpeakJob, parts: RunParts): Promise<void> {
  const control = new RunControl(job.signal);
  control.check();
  const feed = new RequestFeed({
    requests: parts.plan.requests,
    scheduler: job.scheduler,
    store: job.store,
    control,
    window: Math.max(2 * job.concurrency, 8),
    task: (request) =>
      requestTask(request, { provider: job.provider, job: job.order ?? 0, wire: parts.wire, prepared: parts.prepared, http: job.http, timeoutMs: job.timeoutMs, tally: parts.tally, events: job.events, count: parts.plan.requests.length, resumable: job.resumable }),
    done: (request, info) => {
      if (info.cached) parts.tally.cacheHits++;
      job.events.requestDone(request.index, { cached: info.cached, chars: codePointLength(request.text) });
    },
  });
  const onStop = (): void => feed.stopReaders(control.failure);
  control.stop.addEventListener('abort', onStop, { once: true });
  try {
    const live = job.outputs.some((o) => o.sink.live);
    await writePlan({ plan: parts.plan, feed, outputs: parts.outputs, timeline: job.timeline, follow: live, resumable: parts.wire === 'pcm' });
    // Files first: a file is whole once the last request is joined, so it (and its subtitles) are
    // renamed into place before waiting for the speakers to finish; a problem or Ctrl-C while the
    // end still plays keeps them.
    await parts.outputs.commit({ live: false });
    for (const sink of job.timeline) await sink.commit();
    await parts.outputs.commit({ live: true });
  } catch (error) {
    control.fail(error);
  } finally {
    control.stop.removeEventListener('abort', onStop);
    control.dispose();
    await feed.settle();
    await feed.close();
    if (control.failed) await Promise.all([parts.outputs.abort(), ...job.timeline.map((t) => t.abort())]);
  }
  control.check();
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
  const mp4 = job.outputs.find((o) => codecOf(o.request.format) !== o.request.format && !o.sink.seekable);
  if (mp4) throw new UsageError(`${mp4.request.format} needs a file it can seek in (its index is written at the end)`, { hint: `Write it to a file: -o book.${mp4.request.format}` });
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

const hasTags = (tags: BookTags): boolean => Object.values(tags).some((v) => v !== undefined);

/** The provider's adapter for each distinct setting in the plan, made once; warnings said once. */
async function prepareAll(job: SpeakJob, plan: Plan, formats: OutputPlan): Promise<(request: PlannedRequest) => PreparedSpeech> {
  const { spec, connection } = job.provider;
  const byKey = new Map<string, PreparedSpeech>();
  const warned = new Set<string>();
  const keyOf = (request: PlannedRequest): string => JSON.stringify([request.settings.voice, request.settings.speed, request.settings.instructions, request.settings.model]);
  for (const request of plan.requests) {
    const key = keyOf(request);
    if (byKey.has(key)) continue;
    const prepared = spec.prepare(connection, { ...request.settings, format: formats.wire });
    byKey.set(key, prepared);
    for (const warning of prepared.warnings.filter((w) => !warned.has(w))) {
      warned.add(warning);
      job.events.warn(warning);
    }
    if (prepared.kind === 'in-process') await prepared.check(job.signal);
  }
  for (const warning of formats.notes) job.events.warn(warning);
  for (const remark of formats.remarks) job.events.note(remark);
  return (request) => byKey.get(keyOf(request))!;
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
