import { planOutputs, type OutputRequest } from '../audio/format-plan.js';
import { DiskCache, ScratchStore } from '../cache/chunk-store.js';
import { readConfigFile } from '../config/config-file.js';
import { cacheDir, configDir } from '../config/paths.js';
import { runCost } from '../discovery/run-cost.js';
import { sleep } from '../http/with-retries.js';
import { readText } from '../input/read-text.js';
import { FileSink } from '../output/file-sink.js';
import { StreamSink } from '../output/stream-sink.js';
import type { PlayerSink } from '../playback/player-sink.js';
import type { ResolvedProvider } from '../providers/registry.js';
import { planChunks, speak, type SpeakOutput } from '../speak/speak.js';
import { chunkCharacters } from '../text/chunk-text.js';
import { markdownToSpeech } from '../text/markdown-to-speech.js';
import { UsageError } from '../errors.js';
import type { Reporter } from '../ui/reporter.js';
import type { CliIo } from './cli-io.js';
import { pickProvider } from './pick-provider.js';
import { dryRunJson, dryRunText, exchangeLines, summaryJson, summaryLine, type RunFacts } from './run-summary.js';
import { parseSpeakOptions, type RawSpeakFlags, type SpeakOptions } from './speak-options.js';

/** The cache keeps at most this much audio; the least recently used chunks go first. */
export const CACHE_MAX_BYTES = 1024 ** 3;

/**
 * `tts [options] [text...]`. Everything that can be wrong with the input is checked before the first
 * request: flags, text, provider and key, and whether the output path can be written.
 */
export async function runSpeak(words: string[], flags: RawSpeakFlags, io: CliIo, reporter: Reporter): Promise<void> {
  // undici loads while the text is read.
  const http = import('undici');
  http.catch(() => undefined);
  const config = readConfigFile(configDir(io.env));
  const options = parseSpeakOptions(flags, config, Boolean(io.stdout.isTTY));
  const read = await readText({ args: words, file: options.file, stdin: io.stdin });
  const text = options.markdown ? markdownToSpeech(read) : read;
  if (text.trim() === '') {
    throw new UsageError('Nothing to speak: the Markdown holds only markup (code blocks, rules, links without text)', {
      hint: 'Add --no-markdown to speak it exactly as written.',
    });
  }

  const provider = pickProvider(options, io, reporter, config);
  const model = options.model ?? provider.spec.defaultModel;
  const voice = options.voice ?? provider.spec.defaultVoice;
  const outputName = options.output?.kind === 'file' ? options.output.path : options.output?.kind === 'stdout' ? 'stdout' : 'the speakers';
  // Played only, the audio is the speakers' stream (WAV), whatever the format default says.
  const format = options.output ? options.format : 'wav';
  const facts = (cost: RunFacts['cost']): RunFacts => ({ provider: provider.spec.name, model, voice, format, output: outputName, cost });

  if (options.dryRun) return dryRun(text, options, provider, facts, io);

  const outputs: SpeakOutput[] = [];
  let player: PlayerSink | undefined;
  for (const request of outputRequests(options)) {
    if (request.player) {
      const { PlayerSink } = await import('../playback/player-sink.js');
      player = new PlayerSink(io.env);
      outputs.push({ sink: player, request });
    } else {
      const sink = options.output?.kind === 'file' ? await FileSink.open(options.output.path) : new StreamSink(io.stdout);
      outputs.push({ sink, request });
    }
  }
  const cache = options.cache ? new DiskCache(cacheDir(io.env), CACHE_MAX_BYTES) : new ScratchStore();
  const agent = new (await http).Agent({ connections: options.concurrency });

  let chunks = 0;
  let chars = 0;
  let chunksDone = 0;
  let charsDone = 0;
  await reporter.startProgress(`Speaking with ${provider.spec.description}…`);
  try {
    const report = await speak({
      text,
      provider,
      settings: {
        model,
        voice,
        speed: options.speed,
        instructions: options.instructions,
        streamFormat: options.streamFormat,
      },
      outputs,
      store: cache,
      resumable: options.cache,
      concurrency: options.concurrency,
      retries: options.retries,
      timeoutMs: options.timeoutMs,
      dispatcher: agent,
      signal: io.signal,
      sleep: io.sleep ?? sleep,
      random: io.random ?? Math.random,
      events: {
        warn: (message) => reporter.warn(message),
        note: (message) => reporter.info(`tts: ${message}`),
        planned: (planned) => {
          chunks = planned.length;
          chars = chunkCharacters(planned);
          reporter.progress({ chunksDone, chunks, charsDone, chars });
        },
        chunkDone: (_index, info) => {
          chunksDone++;
          charsDone += info.chars;
          reporter.progress({ chunksDone, chunks, charsDone, chars });
        },
        retrying: (index, error, attempt, delayMs) => {
          reporter.info(`tts: chunk ${index + 1}: ${error.message}; retry ${attempt} of ${options.retries} in ${(delayMs / 1000).toFixed(1)} s`);
        },
        exchange: options.verbose ? (info) => exchangeLines(info, chunks, options.debug).forEach((line) => reporter.line(line)) : undefined,
      },
    });
    reporter.stopProgress();
    if (player?.playerName && player.playerName !== 'speaker') reporter.info(`Played through ${player.playerName}.`);
    const cost = await runCost(provider, model, report.characters, io.signal, false);
    if (options.json) {
      // Scripts read the summary from stdout, unless stdout carries the audio.
      (options.output?.kind === 'stdout' ? io.stderr : io.stdout).write(`${summaryJson(report, facts(cost))}\n`);
    } else {
      reporter.info(summaryLine(report, facts(cost)));
    }
  } catch (error) {
    // speak() undoes its own output, but a refusal before it starts (a format the provider lacks)
    // must not leave the temporary file, or a player, behind.
    await Promise.all(outputs.map((o) => o.sink.abort()));
    throw error;
  } finally {
    reporter.stopProgress();
    await agent.destroy();
  }
}

/** Where the audio goes: a file or stdout in the asked format, and/or the speakers (as WAV). */
function outputRequests(options: SpeakOptions): OutputRequest[] {
  return [...(options.output ? [{ format: options.format, player: false }] : []), ...(options.play ? [{ format: 'wav' as const, player: true }] : [])];
}

/** --dry-run: what a run would do and cost. No speech request is sent and nothing is written. */
async function dryRun(text: string, options: SpeakOptions, provider: ResolvedProvider, facts: (cost: RunFacts['cost']) => RunFacts, io: CliIo): Promise<void> {
  const requests = outputRequests(options);
  // A format the provider cannot give is refused here just as in a real run.
  planOutputs(requests, provider.spec.formats, provider.spec.description);
  const chunks = planChunks(text, provider.spec, options.output?.kind === 'stdout' || options.play);
  const cost = await runCost(provider, facts(undefined).model, chunkCharacters(chunks), io.signal, true);
  const plan = { ...facts(cost), chunks };
  io.stdout.write(`${options.json ? dryRunJson(plan) : dryRunText(plan)}\n`);
}
