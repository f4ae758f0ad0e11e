import { mkdir } from 'node:fs/promises';
import { planOutputs } from '../audio/format-plan.js';
import type { ChunkStore } from '../cache/chunk-store.js';
import { runCost } from '../discovery/run-cost.js';
import { createHttpClient, type HttpClient } from '../http/http-client.js';
import { InterruptedError, PartialFailure, UsageError } from '../errors.js';
import { openOutput } from '../output/open-output.js';
import type { ResolvedProvider } from '../providers/registry.js';
import type { Scheduler } from '../schedule/scheduler.js';
import { planFor, type SpeakEvents, type SpeakJob } from '../speak/speak.js';
import { speakMany, type JobOutcome } from '../speak/speak-many.js';
import type { TimelineSink } from '../timeline/timeline.js';
import { exitCodeFor } from './exit-codes.js';
import { errorFields, formatError } from './format-error.js';
import { RunProgress } from './run-progress.js';
import { openStore, newScheduler, runSettings } from './run-shared.js';
import { estimatedSeconds } from './dry-run.js';
import { duration, plural } from './run-summary.js';
import { openTimeline } from './run-timeline.js';
import type { SpeakEnvironment } from './speak-command.js';
import { eachBeside, subtitlesOfOutput, type SpeakOptions } from './speak-options.js';
import type { SpeechUnit, Units } from './speech-units.js';

/** What every job of a batch shares. */
interface BatchRun {
  options: SpeakOptions;
  env: SpeakEnvironment;
  provider: ResolvedProvider;
  scheduler: Scheduler;
  store: ChunkStore;
  http: HttpClient;
  progress: RunProgress;
}

/**
 * Several outputs in one run (a file per chapter, or per input): one scheduler and one rate budget
 * for them all. A file that cannot be read or whose requests fail for good is named; the others are
 * still written; the exit code says something failed, and the summary lists each file's outcome.
 */
export async function runBatch(units: Units, options: SpeakOptions, env: SpeakEnvironment): Promise<void> {
  const { io, reporter } = env;
  if (options.subtitles !== undefined && !eachBeside(options.subtitles)) {
    throw new UsageError(`--subtitles ${options.subtitles} is one file, and this run writes several outputs`, {
      hint: 'Write each output\'s beside it, named after it: --subtitles .srt (or .vtt, .json). Or join the inputs into one output (-o book.mp3 --subtitles book.srt).',
    });
  }
  for (const unit of units.units) for (const warning of unit.read.warnings) reporter.warn(`${unit.label}: ${warning}`);
  const provider = (await import('./pick-provider.js')).pickProvider(options, io, reporter, { config: env.config });
  // A format the provider cannot give is refused before anything is sent, as in a single run.
  planOutputs([{ format: options.format, player: false }], provider.spec.formats, provider.spec.description);
  if (options.dryRun) return batchDryRun(units, options, env, provider);
  if (options.output?.kind === 'folder') await makeFolder(options.output.path);
  const store = await openStore(options, io, reporter);
  const http = createHttpClient({ connections: options.concurrency });
  const totals = unitTotals(units.units, options, provider);
  const progress = new RunProgress(options, reporter, { secretHeaders: provider.spec.secretHeaders, totals, labels: units.units.map((u) => u.label) });
  const scheduler = newScheduler(options, { store, io, provider, onWaiting: (wait) => progress.waiting(wait) });
  const run: BatchRun = { options, env, provider, store, http, scheduler, progress };
  await reporter.startProgress(`Speaking with ${provider.spec.description}…`);
  try {
    const outcomes = await speakMany(units.units.map((unit) => () => jobFor(unit, run)), { signal: io.signal, onOutcome: (index) => run.progress.fileDone(units.units[index]!.label) });
    reporter.stopProgress();
    await report(units, outcomes, run);
  } finally {
    reporter.stopProgress();
    // Requests already sent finish into the cache before it closes: the provider bills them anyway.
    await scheduler.idle();
    await http.close();
    await store.close();
  }
}

async function makeFolder(path: string): Promise<void> {
  await mkdir(path, { recursive: true }).catch((error: unknown) => {
    throw new UsageError(`Cannot make the folder ${path}: ${(error as Error).message}`, { cause: error });
  });
}

/** Every unit's requests and characters, planned up front so the progress line can say how far the whole run is. */
function unitTotals(units: readonly SpeechUnit[], options: SpeakOptions, provider: ResolvedProvider): { chunks: number; chars: number; files: number } {
  const settings = runSettings(options, provider);
  const plans = units.map((u) => planFor(u.read.document.segments, provider.spec, settings, { live: false }));
  return { chunks: plans.reduce((n, p) => n + p.requests.length, 0), chars: plans.reduce((n, p) => n + p.characters, 0), files: units.length };
}

/** Under `--subtitles .srt`: the subtitles of the output at `audioPath`, beside it. */
async function subtitlesFor(audioPath: string, { run, language, warn }: { run: BatchRun; language: string | undefined; warn: SpeakEvents['warn'] }): Promise<TimelineSink[]> {
  const { options, env } = run;
  const subtitles = audioPath === '' ? undefined : subtitlesOfOutput(options.subtitles, audioPath);
  if (subtitles === undefined) return [];
  return openTimeline({ ...options, subtitles }, { io: env.io, reporter: env.reporter, language, player: undefined, warn });
}

/** A unit's job, made when its turn comes: its file is opened then, not all at once. */
async function jobFor(unit: SpeechUnit, run: BatchRun): Promise<SpeakJob> {
  const { options, env } = run;
  const path = unit.output?.kind === 'file' ? unit.output.path : '';
  const sink = await openOutput(path, { stdout: env.io.stdout, signal: env.io.signal });
  const { document } = unit.read;
  // The job's own events: its warnings, its subtitles' too, name its file.
  const events = run.progress.events(unit.label);
  const timeline = await subtitlesFor(path, { run, language: document.language, warn: events.warn }).catch(async (error: unknown) => {
    await sink.abort();
    throw error;
  });
  return {
    segments: document.segments,
    provider: run.provider,
    settings: runSettings(options, run.provider),
    outputs: [{ sink, request: { format: options.format, player: false } }],
    timeline,
    info: { title: document.title, author: options.author ?? document.author, cover: document.cover, album: options.title ?? unit.album, track: unit.track },
    scheduler: run.scheduler,
    store: run.store,
    resumable: options.cache,
    concurrency: options.concurrency,
    timeoutMs: options.timeoutMs,
    http: run.http,
    signal: env.io.signal,
    events,
  };
}

/**
 * One line per input, in the order given, then the totals; or the same as JSON. A failure anywhere
 * sets the exit code: that of the first input that failed, in the order given.
 */
async function report(units: Units, outcomes: readonly JobOutcome[], run: BatchRun): Promise<void> {
  const { options, env } = run;
  const files = inOrder(units, outcomes);
  const sent = outcomes.reduce((n, o) => n + (o.ok ? o.report.sentCharacters : 0), 0);
  const cost = await runCost({ provider: run.provider, model: runSettings(options, run.provider).model, characters: sent, signal: env.io.signal, mayAsk: false });
  if (options.json) env.io.stdout.write(`${env.reporter.printableJson(JSON.stringify({ files: files.map(fileJson), estimatedCostUsd: cost ? Math.round(cost.usd * 1e6) / 1e6 : null }))}\n`);
  else for (const line of summaryLines(files, options)) env.reporter.info(line);
  // Ctrl-C ends the run, whatever the files it cut short say: 130 (143 for SIGTERM), not their code.
  if (env.io.signal.aborted) throw env.io.signal.reason instanceof InterruptedError ? env.io.signal.reason : new InterruptedError();
  const failed = files.filter((f) => !f.outcome.ok);
  if (failed.length === 0) return;
  const first = (failed[0]!.outcome as { error: unknown }).error;
  throw new PartialFailure(first, `${failed.length} of ${files.length} files failed: ${failed.map((f) => f.unit).join(', ')}`, {
    hint: options.cache ? 'Rerun the same command once the cause is fixed: chunks already finished come from the cache, so the files written cost nothing again.' : undefined,
  });
}

type FileOutcome = { unit: string; output: string | undefined; outcome: JobOutcome };

/** Every input's outcome in the order given: those that could not be read in their places among those spoken. */
function inOrder(units: Units, outcomes: readonly JobOutcome[]): FileOutcome[] {
  const unread = (at: number): FileOutcome[] => units.unread.filter((u) => u.at === at).map((u) => ({ unit: u.label, output: undefined, outcome: { ok: false, error: u.error } }));
  const spoken = units.units.flatMap((unit, i) => [...unread(i), { unit: unit.label, output: unit.output?.kind === 'file' ? unit.output.path : undefined, outcome: outcomes[i]! }]);
  return [...spoken, ...unread(units.units.length)];
}

function fileJson(f: FileOutcome): Record<string, unknown> {
  if (!f.outcome.ok) return { input: f.unit, output: f.output ?? null, ok: false, error: errorFields(f.outcome.error, exitCodeFor(f.outcome.error)) };
  const r = f.outcome.report;
  return { input: f.unit, output: f.output ?? null, ok: true, audioSeconds: r.audioSeconds ?? null, bytes: r.bytes, chunks: r.chunks, characters: r.characters, requests: r.requests, cacheHits: r.cacheHits };
}

function summaryLines(files: readonly FileOutcome[], options: SpeakOptions): string[] {
  const lines = files.map((f) =>
    f.outcome.ok ? `${f.output ?? f.unit}: ${duration(f.outcome.report.audioSeconds ?? 0)}` : `${f.unit}: failed: ${formatError(f.outcome.error, { debug: options.debug }).replace(/^tts: /, '')}`,
  );
  const done = files.filter((f) => f.outcome.ok).map((f) => (f.outcome as { report: { audioSeconds: number | undefined } }).report);
  const seconds = done.reduce((n, r) => n + (r.audioSeconds ?? 0), 0);
  lines.push(`${plural(done.length, 'file')} of ${files.length}, ${duration(seconds)} of ${options.format}`);
  return lines;
}

/** What a batch would write: each file with its size, length and cost share. Nothing is sent. */
async function batchDryRun(units: Units, options: SpeakOptions, env: SpeakEnvironment, provider: ResolvedProvider): Promise<void> {
  const settings = runSettings(options, provider);
  const rows = units.units.map((u) => ({ unit: u, plan: planFor(u.read.document.segments, provider.spec, settings, { live: false }) }));
  const characters = rows.reduce((n, r) => n + r.plan.characters, 0);
  const cost = await runCost({ provider, model: settings.model, characters, signal: env.io.signal, mayAsk: true });
  const lines = [`Dry run: ${plural(rows.length, 'file')}, ${plural(characters, 'character')}, as ${options.format}`, `  ${provider.spec.name}, model ${settings.model}, voice ${settings.voice}`];
  for (const { unit, plan } of rows) {
    const share = cost && characters > 0 ? ` · ~$${((cost.usd * plan.characters) / characters).toFixed(2)}` : '';
    lines.push(`  ${unit.output?.kind === 'file' ? unit.output.path : unit.label} · ${plural(plan.characters, 'character')} · ~${duration(estimatedSeconds(plan.requests))}${share}`);
  }
  for (const u of units.unread) lines.push(`  ${u.label}: cannot be read: ${u.error instanceof Error ? u.error.message : String(u.error)}`);
  lines.push(cost ? `Estimated cost: ~$${cost.usd.toFixed(2)} (${cost.basis})` : 'Estimated cost: unknown for this provider', 'No request was sent and no file was written.');
  env.io.stdout.write(`${env.reporter.printable(lines.join('\n'))}\n`);
}
