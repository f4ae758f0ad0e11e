import { planOutputs, type OutputRequest } from '../audio/format-plan.js';
import { readConfigFile } from '../config/config-file.js';
import { configDir } from '../config/paths.js';
import type { CostQuestion } from '../discovery/run-cost.js';
import { createHttpClient, type HttpClient } from '../http/http-client.js';
import type { ReadDocument } from '../input/read-document.js';
import type { RunInputs, WrittenPath } from '../output/same-file.js';
import { StreamSink } from '../output/stream-sink.js';
import type { DocumentInfo, Segment } from '../plan/segment.js';
import type { PlayerSink } from '../playback/player-sink.js';
import type { ConfigReader } from '../config/config-file.js';
import type { ResolvedProvider } from '../providers/registry.js';
import { planFor, speak, type SpeakOutput, type SpeakReport } from '../speak/speak.js';
import type { TimelineSink } from '../timeline/timeline.js';
import type { Reporter } from '../ui/reporter.js';
import type { CliIo } from './cli-io.js';
import { pickProvider } from './pick-provider.js';
import { chapterLines, summaryJson, summaryLine, type RunFacts } from './run-summary.js';
import { ChapterLog, type ChapterLength } from './chapter-log.js';
import { RunProgress } from './run-progress.js';
import { openTimeline } from './run-timeline.js';
import { newScheduler, openStore, runSettings } from './run-shared.js';
import { eachBeside, parseSpeakOptions, subtitlesOfOutput, type RawSpeakFlags, type SpeakOptions } from './speak-options.js';
import { readUnits, type SpeechUnit } from './speech-units.js';

/** What the run costs, loaded after the audio (or for a dry run): it needs nothing before the first request. */
const runCost = async (question: CostQuestion): Promise<RunFacts['cost']> => (await import('../discovery/run-cost.js')).runCost(question);

/**
 * Nothing the run reads is written over. Loaded only when the run writes to a path: a piped run's
 * first request waits on no module it does not need (so too files, dry runs and tags below).
 */
const refuseInputsAsOutputs = async (inputs: RunInputs, outputs: readonly WrittenPath[]): Promise<void> =>
  outputs.length === 0 ? undefined : (await import('../output/same-file.js')).refuseInputsAsOutputs(inputs, outputs);

/** Everything a run knows before it sends anything. */
interface RunContext {
  options: SpeakOptions;
  segments: Segment[];
  /** The book's title, author and cover, with --title and --author applied. */
  info: DocumentInfo;
  /** What the lexicon changed, for --dry-run. */
  lexiconChanges: readonly string[];
  provider: ResolvedProvider;
  model: string;
  voice: string;
  facts(cost: RunFacts['cost']): RunFacts;
}

/**
 * `tts [options] [text...]`. Everything that can be wrong with the input is checked before the first
 * request: flags, text, provider and key, and whether the output path can be written.
 */
export async function runSpeak(words: string[], flags: RawSpeakFlags, io: CliIo, reporter: Reporter): Promise<void> {
  const config = readConfigFile(configDir(io.env));
  const options = parseSpeakOptions(flags, config, { stdoutIsTTY: Boolean(io.stdout.isTTY) });
  const inputs: RunInputs = { args: words, files: options.files, lexicon: options.lexicon, stdin: io.stdin };
  await refuseInputsAsOutputs(inputs, [
    ...(options.output?.kind === 'file' ? [{ path: options.output.path, what: 'the audio' as const }] : []),
    ...(options.subtitles !== undefined && !eachBeside(options.subtitles) ? [{ path: options.subtitles, what: 'the subtitles' as const }] : []),
  ]);
  const env: SpeakEnvironment = { io, reporter, config };
  const units = await readUnits(words, options, io);
  // Into a folder, each output is named after its input or chapter: known only once they are read.
  if (options.output?.kind === 'folder') await refuseInputsAsOutputs(inputs, units.units.flatMap((unit) => unitOutputs(unit, options)));
  if (options.output?.kind === 'folder' || units.units.length !== 1) return (await import('./batch-command.js')).runBatch(units, options, env);
  const read = units.units[0]!.read;
  for (const warning of read.warnings) reporter.warn(warning);
  await speakDocument(read, options, env);
}

/** What one output of a folder run writes: its audio, and its subtitles beside it under `--subtitles .srt`. */
function unitOutputs(unit: SpeechUnit, options: SpeakOptions): WrittenPath[] {
  if (unit.output?.kind !== 'file') return [];
  const subtitles = subtitlesOfOutput(options.subtitles, unit.output.path);
  return [{ path: unit.output.path, what: 'the audio' }, ...(subtitles !== undefined ? [{ path: subtitles, what: 'the subtitles' as const }] : [])];
}

export interface SpeakEnvironment {
  io: CliIo;
  reporter: Reporter;
  config: ConfigReader;
}

/** Speaks what was read (or made, as a voice preview is) as the options say: a dry run, or for real. */
export async function speakDocument(read: ReadDocument, options: SpeakOptions, env: SpeakEnvironment): Promise<void> {
  const { io, reporter } = env;
  const provider = pickProvider(options, io, reporter, { config: env.config });
  const model = options.model ?? provider.spec.defaultModel;
  const voice = options.voice ?? provider.spec.defaultVoice;
  const outputName = options.output?.kind === 'file' ? options.output.path : options.output?.kind === 'stdout' ? 'stdout' : 'the speakers';
  // Played only, the audio is the speakers' stream (WAV), whatever the format default says.
  const format = options.output ? options.format : 'wav';
  const { cover, language } = read.document;
  const info: DocumentInfo = { title: options.title ?? read.document.title, author: options.author ?? read.document.author, cover, language };
  const context: RunContext = { options, segments: read.document.segments, info, lexiconChanges: read.lexiconChanges, provider, model, voice, facts: (cost) => ({ provider: provider.spec.name, model, voice, format, output: outputName, cost }) };

  if (options.dryRun) return dryRun(context, io, reporter);
  const outputs = await openOutputs(options, io);
  const timeline: TimelineSink[] = [];
  try {
    const player = outputs.find((o) => o.request.player)?.sink as PlayerSink | undefined;
    timeline.push(...(await openTimeline(options, { io, reporter, language, player })));
    const http = createHttpClient({ connections: options.concurrency });
    try {
      await speakAndReport(context, { outputs, timeline, http }, io, reporter);
    } finally {
      await http.close();
    }
  } catch (error) {
    // speak() undoes its own output, but a refusal before it starts (a format the provider lacks)
    // must not leave the temporary file, a player, or subtitles behind.
    await Promise.all([...outputs.map((o) => o.sink.abort()), ...timeline.map((t) => t.abort())]);
    throw error;
  }
}

/** Where the audio goes: a file or stdout in the asked format, and/or the speakers (as WAV). */
function outputRequests(options: SpeakOptions): OutputRequest[] {
  return [...(options.output ? [{ format: options.format, player: false }] : []), ...(options.play ? [{ format: 'wav' as const, player: true }] : [])];
}

async function openOutputs(options: SpeakOptions, io: CliIo): Promise<SpeakOutput[]> {
  const outputs: SpeakOutput[] = [];
  for (const request of outputRequests(options)) {
    if (request.player) {
      const { PlayerSink } = await import('../playback/player-sink.js');
      outputs.push({ sink: new PlayerSink(io.env), request });
    } else {
      const sink =
        options.output?.kind === 'file' ? await (await import('../output/open-output.js')).openOutput(options.output.path, { stdout: io.stdout, signal: io.signal })
        : new StreamSink(io.stdout, { where: 'stdout', signal: io.signal });
      outputs.push({ sink, request });
    }
  }
  return outputs;
}

interface Transport {
  outputs: SpeakOutput[];
  timeline: TimelineSink[];
  http: HttpClient;
}

async function speakAndReport(context: RunContext, transport: Transport, io: CliIo, reporter: Reporter): Promise<void> {
  const { options, provider } = context;
  const store = await openStore(options, io, reporter);
  const progress = new RunProgress(options, reporter, { secretHeaders: provider.spec.secretHeaders });
  const scheduler = newScheduler(options, { store, io, provider, onWaiting: (wait) => progress.waiting(wait) });
  const chapters = new ChapterLog((title) => progress.chapter(title));
  await reporter.startProgress(`Speaking with ${provider.spec.description}…`);
  try {
    const report = await speak({
      segments: context.segments,
      provider,
      settings: runSettings(options, provider),
      outputs: transport.outputs,
      timeline: [...transport.timeline, chapters],
      info: context.info,
      scheduler,
      store,
      resumable: options.cache,
      concurrency: options.concurrency,
      timeoutMs: options.timeoutMs,
      http: transport.http,
      signal: io.signal,
      events: progress.events(),
    });
    reporter.stopProgress();
    const player = transport.outputs.find((o) => o.request.player)?.sink as PlayerSink | undefined;
    if (player?.playerName && player.playerName !== 'speaker') reporter.info(`Played through ${player.playerName}.`);
    await printSummary(report, context, { io, reporter, chapters: chapters.lengths() });
  } finally {
    reporter.stopProgress();
    // Requests already sent finish into the cache before it closes: the provider bills them anyway.
    await scheduler.idle();
    await store.close();
  }
}

async function printSummary(report: SpeakReport, context: RunContext, { io, reporter, chapters }: { io: CliIo; reporter: Reporter; chapters: ChapterLength[] }): Promise<void> {
  const { options } = context;
  // What the provider bills: the characters sent, not those the cache had.
  const cost = await runCost({ provider: context.provider, model: context.model, characters: report.sentCharacters, signal: io.signal, mayAsk: false });
  if (options.json) {
    // Scripts read the summary from stdout, unless stdout carries the audio.
    (options.output?.kind === 'stdout' ? io.stderr : io.stdout).write(`${reporter.printableJson(summaryJson(report, { ...context.facts(cost), chapters }))}\n`);
  } else {
    reporter.info(summaryLine(report, context.facts(cost)));
    // A book's summary gives each chapter's length; a text with one chapter or none needs no list.
    if (chapters.length > 1) chapterLines(chapters).forEach((line) => reporter.info(line));
  }
}

/** --dry-run: what a run would do and cost. No speech request is sent and nothing is written. */
async function dryRun(context: RunContext, io: CliIo, reporter: Reporter): Promise<void> {
  const { options, provider } = context;
  // A format the provider cannot give is refused here just as in a real run.
  planOutputs(outputRequests(options), provider.spec.formats, provider.spec.description);
  const plan = planFor(context.segments, provider.spec, runSettings(options, provider), { live: options.output?.kind === 'stdout' || options.play });
  const cost = await runCost({ provider, model: context.model, characters: plan.characters, signal: io.signal, mayAsk: true });
  const facts = { ...context.facts(cost), plan, lexiconChanges: context.lexiconChanges };
  const { dryRunJson, dryRunText } = await import('./dry-run.js');
  io.stdout.write(`${options.json ? reporter.printableJson(dryRunJson(facts)) : reporter.printable(dryRunText(facts))}\n`);
}
