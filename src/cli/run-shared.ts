import { openDiskCache, ScratchStore, type ChunkStore } from '../cache/chunk-store.js';
import { cacheDir } from '../config/paths.js';
import { sleep } from '../schedule/clock.js';
import type { RunSettings } from '../plan/plan-requests.js';
import type { ResolvedProvider } from '../providers/registry.js';
import { Scheduler, type RunWait } from '../schedule/scheduler.js';
import type { Reporter } from '../ui/reporter.js';
import type { CliIo } from './cli-io.js';
import type { SpeakOptions } from './speak-options.js';

/** The cache keeps at most this much audio; the least recently used chunks go first. */
export const CACHE_MAX_BYTES = 1024 ** 3;

/** How every request of the run is spoken, before a script's own voices and rates. */
export function runSettings(options: SpeakOptions, provider: ResolvedProvider): RunSettings {
  return {
    model: options.model ?? provider.spec.defaultModel,
    voice: options.voice ?? provider.spec.defaultVoice,
    speed: options.speed,
    instructions: options.instructions,
    streamFormat: options.streamFormat,
  };
}

/** The cache, or scratch space with --no-cache (or when the cache folder cannot be used). */
export async function openStore(options: SpeakOptions, io: CliIo, reporter: Reporter): Promise<ChunkStore> {
  return options.cache ? openDiskCache(cacheDir(io.env), CACHE_MAX_BYTES, { warn: (message) => reporter.warn(message) }) : new ScratchStore();
}

/** The run's one scheduler: every output's requests share its budget and its rate limit. */
export function newScheduler(options: SpeakOptions, run: { store: ChunkStore; io: CliIo; provider: ResolvedProvider; onWaiting(wait: RunWait | undefined): void }): Scheduler {
  const { io } = run;
  // --rpm paces a provider's key; the built-in voice has none.
  const rpm = run.provider.spec.inProcess ? undefined : options.rpm;
  return new Scheduler({
    concurrency: options.concurrency,
    rpm,
    store: run.store,
    retries: options.retries,
    interrupt: io.signal,
    sleep: io.sleep ?? sleep,
    now: io.now,
    random: io.random ?? Math.random,
    onWaiting: run.onWaiting,
  });
}
