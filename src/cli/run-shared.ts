import { openDiskCache, ScratchStore, type ChunkStore } from '../cache/chunk-store.js';
import { cacheDir } from '../config/paths.js';
import { sleep } from '../http/with-retries.js';
import type { RunSettings } from '../plan/plan-requests.js';
import type { ResolvedProvider } from '../providers/registry.js';
import { Scheduler } from '../schedule/scheduler.js';
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

/** The run's one scheduler: every output's requests share its budget. */
export function newScheduler(options: SpeakOptions, store: ChunkStore, io: CliIo): Scheduler {
  return new Scheduler({ concurrency: options.concurrency, store, retries: options.retries, interrupt: io.signal, sleep: io.sleep ?? sleep, random: io.random ?? Math.random });
}
