import { DiskCache, ScratchStore } from '../cache/chunk-store.js';
import { readConfigFile } from '../config/config-file.js';
import { cacheDir, configDir } from '../config/paths.js';
import { sleep } from '../http/with-retries.js';
import { readText } from '../input/read-text.js';
import { FileSink } from '../output/file-sink.js';
import { StreamSink } from '../output/stream-sink.js';
import type { PlayerSink } from '../playback/player-sink.js';
import { chooseProviderName, resolveProvider } from '../providers/registry.js';
import { speak, type SpeakOutput } from '../speak/speak.js';
import type { Reporter } from '../ui/reporter.js';
import type { CliIo } from './cli-io.js';
import { parseSpeakOptions, type RawSpeakFlags } from './speak-options.js';

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

  let providerName = chooseProviderName({ name: options.provider, baseUrl: options.baseUrl }, io.env, config);
  if (providerName === undefined) {
    // Nothing is configured: a fresh install still speaks, offline, and says how to do better.
    // A --base-url says a server was meant, which then needs its key like any other.
    providerName = options.baseUrl === undefined ? 'local' : 'openai';
    if (providerName === 'local') {
      reporter.info('tts: using the built-in offline voice. For natural voices set OPENAI_API_KEY or run: tts config set openai.apiKey');
    }
  }
  const provider = resolveProvider(providerName, { name: providerName, baseUrl: options.baseUrl }, io.env, config);
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
        model: options.model ?? provider.spec.defaultModel,
        voice: options.voice ?? provider.spec.defaultVoice,
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
      },
    });
    reporter.stopProgress();
    if (player?.playerName && player.playerName !== 'speaker') reporter.info(`Played through ${player.playerName}.`);
    if (options.output?.kind === 'file') {
      const cached = report.cacheHits > 0 ? `, ${report.cacheHits} from cache` : '';
      reporter.info(`Wrote ${options.output.path} (${options.format}, ${report.chunks} chunk${report.chunks === 1 ? '' : 's'}${cached})`);
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
