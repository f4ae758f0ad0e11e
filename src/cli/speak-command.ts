import { DiskCache, ScratchStore } from '../cache/chunk-store.js';
import { readConfigFile } from '../config/config-file.js';
import { cacheDir, configDir } from '../config/paths.js';
import { sleep } from '../http/with-retries.js';
import { readText } from '../input/read-text.js';
import { FileSink } from '../output/file-sink.js';
import { StreamSink } from '../output/stream-sink.js';
import type { PlayerSink } from '../playback/player-sink.js';
import { planOutputs } from '../audio/format-plan.js';
import { listModels } from '../discovery/discover.js';
import { estimateCost, type CostEstimate } from '../discovery/pricing.js';
import type { ResolvedProvider } from '../providers/registry.js';
import { CHUNK_MARGIN, FIRST_CHUNK_CHARS, speak, type SpeakOutput } from '../speak/speak.js';
import { chunkText, codePointLength } from '../text/chunk-text.js';
import { dryRunJson, dryRunText, exchangeLines, summaryJson, summaryLine, type RunFacts } from './run-summary.js';
import type { Reporter } from '../ui/reporter.js';
import type { CliIo } from './cli-io.js';
import { pickProvider } from './pick-provider.js';
import { parseSpeakOptions, type RawSpeakFlags } from './speak-options.js';

/**
 * What speaking this many characters would cost, by OpenAI's published prices for its model names.
 * With `askProvider` (a dry run, where the estimate is the point) OpenRouter is asked for its own
 * price by a free GET of its models API; a finished run makes no request just for its summary.
 */
async function costOf(provider: ResolvedProvider, model: string, characters: number, signal: AbortSignal, askProvider: boolean): Promise<CostEstimate | undefined> {
  if (provider.spec.inProcess) return undefined;
  let perCharacter: number | undefined;
  if (provider.spec.name === 'openrouter') {
    if (!askProvider) return undefined;
    const { Agent } = await import('undici');
    const agent = new Agent();
    try {
      perCharacter = (await listModels({ provider, dispatcher: agent, signal })).items.find((m) => m.id === model)?.perCharacterUsd;
    } finally {
      await agent.destroy();
    }
  }
  return estimateCost(model, characters, perCharacter);
}

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
  const text = await readText({ args: words, file: options.file, stdin: io.stdin });

  const provider = pickProvider(options, io, reporter, config);
  const model = options.model ?? provider.spec.defaultModel;
  const voice = options.voice ?? provider.spec.defaultVoice;
  const outputName = options.output?.kind === 'file' ? options.output.path : options.output?.kind === 'stdout' ? 'stdout' : 'the speakers';
  const facts = (cost: RunFacts['cost']): RunFacts => ({ provider: provider.spec.name, model, voice, format: options.format, output: outputName, cost });

  if (options.dryRun) {
    const requests = [...(options.output ? [{ format: options.format, player: false }] : []), ...(options.play ? [{ format: 'wav' as const, player: true }] : [])];
    planOutputs(requests, provider.spec.formats, provider.spec.description);
    const live = options.output?.kind === 'stdout' || options.play;
    const chunks = chunkText(text, { maxChars: provider.spec.maxInputChars - CHUNK_MARGIN, firstChunkMaxChars: live ? FIRST_CHUNK_CHARS : undefined });
    const cost = await costOf(provider, model, chunks.reduce((n, c) => n + codePointLength(c.text), 0), io.signal, true);
    const report = { ...facts(cost), chunks };
    io.stdout.write(`${options.json ? dryRunJson(report) : dryRunText(report)}\n`);
    return;
  }
  const outputs: SpeakOutput[] = [];
  if (options.output?.kind === 'file') outputs.push({ sink: await FileSink.open(options.output.path), request: { format: options.format, player: false } });
  if (options.output?.kind === 'stdout') outputs.push({ sink: new StreamSink(io.stdout), request: { format: options.format, player: false } });
  let player: PlayerSink | undefined;
  if (options.play) {
    const { PlayerSink } = await import('../playback/player-sink.js');
    player = new PlayerSink(io.env);
    outputs.push({ sink: player, request: { format: 'wav', player: true } });
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
          chars = planned.reduce((sum, c) => sum + c.text.length, 0);
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
    const cost = await costOf(provider, model, report.characters, io.signal, false);
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
