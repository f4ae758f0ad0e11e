import type { Dispatcher } from 'undici';
import type { AudioFormat } from '../audio/formats.js';
import { createJoiner, planOutputs, type OutputRequest } from '../audio/format-plan.js';
import { chunkKey, type ChunkStore } from '../cache/chunk-store.js';
import { InterruptedError, ProviderError } from '../errors.js';
import { fetchSpeech } from '../http/speech-client.js';
import { withRetries } from '../http/with-retries.js';
import type { ProviderSpec, SpeechSettings } from '../providers/provider-spec.js';
import type { ResolvedProvider } from '../providers/registry.js';
import { chunkCharacters, chunkText, type TextChunk } from '../text/chunk-text.js';
import type { AudioSink } from '../output/audio-sink.js';
import { ChunkBuffer } from './chunk-buffer.js';

/** Characters kept in reserve below a provider's limit: how it counts is not documented. */
export const CHUNK_MARGIN = 96;
/** The first chunk when someone is listening: a sentence or two, so sound starts after one short request. */
export const FIRST_CHUNK_CHARS = 200;

export interface SpeakEvents {
  /** The output differs from what was asked: shown even under --quiet. */
  warn(message: string): void;
  /** What was done on the user's behalf, worth a line. */
  note(message: string): void;
  planned(chunks: readonly TextChunk[]): void;
  chunkDone(index: number, info: { cached: boolean; chars: number }): void;
  retrying(index: number, error: ProviderError, attempt: number, delayMs: number): void;
  /** One request and how it went, for --verbose and --debug. */
  exchange?: ((info: ExchangeInfo) => void) | undefined;
}

export interface ExchangeInfo {
  index: number;
  attempt: number;
  url: string;
  headers: Record<string, string>;
  body: string;
  ms: number;
  /** Bytes of audio received, when it succeeded. */
  bytes?: number | undefined;
  requestId?: string | undefined;
  error?: unknown;
}

export interface SpeakJob {
  text: string;
  provider: ResolvedProvider;
  settings: Omit<SpeechSettings, 'format'>;
  /** Where the audio goes: one request per chunk serves them all. */
  outputs: SpeakOutput[];
  store: ChunkStore;
  /** Whether finished chunks outlive the run, so a failure can say that a rerun resumes. */
  resumable: boolean;
  concurrency: number;
  retries: number;
  timeoutMs: number;
  dispatcher: Dispatcher;
  signal: AbortSignal;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  random(): number;
  events: SpeakEvents;
}

export interface SpeakOutput {
  sink: AudioSink;
  request: OutputRequest;
}

export interface SpeakReport {
  chunks: number;
  characters: number;
  requests: number;
  retries: number;
  cacheHits: number;
  requestIds: string[];
  wire: AudioFormat;
  /** Of the first output. */
  audioSeconds: number | undefined;
  bytes: number;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/**
 * How `text` is split for `spec`: under its limit less a margin, and with a short first chunk when
 * someone is listening (a pipe or the speakers), so sound starts after one short request.
 */
export function planChunks(text: string, spec: ProviderSpec, live: boolean): TextChunk[] {
  return chunkText(text, { maxChars: spec.maxInputChars - CHUNK_MARGIN, firstChunkMaxChars: live ? FIRST_CHUNK_CHARS : undefined });
}

/**
 * Speaks `text` into every output: chunks are fetched in parallel (up to `concurrency`) into the
 * chunk store and written in order through each output's joiner, the head chunk streaming out while
 * later ones are fetched. On success the outputs are committed; on any failure or interrupt they
 * are aborted, leaving no partial output, while finished chunks stay in the store.
 */
export async function speak(job: SpeakJob): Promise<SpeakReport> {
  const { spec, connection } = job.provider;
  const plan = planOutputs(job.outputs.map((o) => o.request), spec.formats, spec.description);
  const prepared = spec.prepare(connection, { ...job.settings, format: plan.wire });
  for (const warning of [...prepared.warnings, ...plan.notes]) job.events.warn(warning);
  if (prepared.kind === 'in-process') await prepared.check(job.signal);
  job.outputs.forEach((o, i) => {
    const format = plan.formats[i]!;
    o.sink.accept?.(format);
    // The built-in voice always makes formats here; for a server it is worth saying.
    if (!o.request.player && format !== plan.wire && !spec.inProcess) job.events.note(`${spec.description} cannot send ${format}: asking for ${plan.wire} and making ${format} here.`);
  });

  const live = job.outputs.some((o) => o.sink.live);
  const chunks = planChunks(job.text, spec, live);
  job.events.planned(chunks);
  const outputs = await Promise.all(
    job.outputs.map(async (o, i) => ({ sink: o.sink, joiner: await createJoiner({ wire: plan.wire, output: plan.formats[i]! }, o.sink.seekable) })),
  );

  const report: SpeakReport = {
    chunks: chunks.length,
    characters: chunkCharacters(chunks),
    requests: 0,
    retries: 0,
    cacheHits: 0,
    requestIds: [],
    wire: plan.wire,
    audioSeconds: undefined,
    bytes: 0,
  };
  if (job.signal.aborted) throw new InterruptedError();
  // Two ways to stop. Ctrl-C aborts every request at once (`interrupt`). Any other failure only
  // stops new work (`stop`): no new chunk starts and no retry waits, but requests already sent
  // finish into the store, since the provider bills them anyway and a rerun should not pay twice.
  const interrupt = new AbortController();
  const stop = new AbortController();
  const onOuterAbort = (): void => {
    fail(new InterruptedError());
    interrupt.abort();
  };
  job.signal.addEventListener('abort', onOuterAbort, { once: true });
  const ready = chunks.map(() => deferred<ChunkBuffer>());
  const buffers: ChunkBuffer[] = [];
  let failure: unknown;
  function fail(error: unknown): void {
    failure ??= job.signal.aborted ? new InterruptedError() : error;
    stop.abort();
    for (const d of ready) d.reject(failure);
    for (const b of buffers) b.stopReaders(failure);
  }

  /** One chunk's audio into its buffer: made here by the built-in voice, or fetched with retries. */
  const produce = async (index: number, text: string, buffer: ChunkBuffer): Promise<void> => {
    if (prepared.kind === 'in-process') {
      report.requests++;
      await buffer.append(await prepared.synthesize(text, interrupt.signal));
      return;
    }
    const request = prepared.request(text);
    await withRetries(
      async (attempt) => {
        if (attempt > 1) await buffer.restart();
        report.requests++;
        const started = Date.now();
        const exchange = { index, attempt, url: request.url, headers: request.headers, body: request.body };
        try {
          const result = await fetchSpeech({
            provider: connection.name,
            request,
            format: plan.wire,
            dispatcher: job.dispatcher,
            signal: interrupt.signal,
            timeoutMs: job.timeoutMs,
            onAudio: (bytes) => buffer.append(bytes),
          });
          if (result.requestId) report.requestIds.push(result.requestId);
          job.events.exchange?.({ ...exchange, ms: Date.now() - started, bytes: result.audioBytes, requestId: result.requestId });
        } catch (error) {
          job.events.exchange?.({ ...exchange, ms: Date.now() - started, error });
          throw error;
        }
      },
      {
        retries: job.retries,
        signal: stop.signal,
        sleep: job.sleep,
        random: job.random,
        onRetry: (error, attempt, delay) => {
          report.retries++;
          job.events.retrying(index, error, attempt, delay);
        },
      },
    );
  };

  const fetchChunk = async (index: number): Promise<void> => {
    const chunk = chunks[index]!;
    const key = chunkKey({
      provider: connection.name,
      baseUrl: connection.baseUrl,
      model: job.settings.model,
      voice: job.settings.voice,
      format: plan.wire,
      speed: job.settings.speed,
      instructions: job.settings.instructions,
      text: chunk.text,
    });
    const cached = await job.store.lookup(key);
    if (cached !== undefined) {
      const buffer = await ChunkBuffer.existing(cached);
      buffers.push(buffer);
      report.cacheHits++;
      ready[index]!.resolve(buffer);
      job.events.chunkDone(index, { cached: true, chars: chunk.text.length });
      return;
    }
    const part = await job.store.partPath(key);
    const buffer = await ChunkBuffer.create(part);
    buffers.push(buffer);
    ready[index]!.resolve(buffer);
    try {
      await produce(index, chunk.text, buffer);
      buffer.path = await job.store.keep(key, part);
      buffer.complete();
      job.events.chunkDone(index, { cached: false, chars: chunk.text.length });
    } catch (error) {
      buffer.fail(error);
      await job.store.discard(part);
      throw chunkError(error, index, chunks.length, job.resumable);
    }
  };

  // Chunks fetched ahead of the writer wait on disk; the window bounds how far ahead, so open files,
  // disk use and money spent before a Ctrl-C stay bounded whatever the length of the text.
  const window = Math.max(2 * job.concurrency, 8);
  let written = 0;
  const waiting = new Set<() => void>();
  const wakeWaiting = (): void => {
    for (const wake of waiting) wake();
    waiting.clear();
  };
  const waitForWindow = async (index: number): Promise<void> => {
    while (index >= written + window && !stop.signal.aborted) await new Promise<void>((resolve) => waiting.add(resolve));
  };
  stop.signal.addEventListener('abort', wakeWaiting, { once: true });

  const fetchAll = async (): Promise<void> => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < chunks.length && !stop.signal.aborted) {
        const index = next++;
        await waitForWindow(index);
        if (stop.signal.aborted) return;
        // A failure stops new work at once; the other workers' requests in flight still finish.
        await fetchChunk(index).catch(fail);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(job.concurrency, chunks.length)) }, worker));
  };

  const write = async (sink: AudioSink, bytes: Uint8Array): Promise<void> => {
    if (sink === outputs[0]?.sink) report.bytes += bytes.length;
    await sink.write(bytes);
  };

  const writeAll = async (): Promise<void> => {
    for (let index = 0; index < chunks.length; index++) {
      const buffer = await ready[index]!.promise;
      for await (const bytes of buffer.read(live, plan.wire === 'pcm')) {
        for (const { sink, joiner } of outputs) for (const out of joiner.push(bytes)) await write(sink, out);
      }
      for (const { sink, joiner } of outputs) for (const out of joiner.endChunk()) await write(sink, out);
      await buffer.close();
      await job.store.release(buffer.path);
      written = index + 1;
      wakeWaiting();
    }
    for (const { sink, joiner } of outputs) {
      const end = joiner.finish();
      for (const out of end.tail) await write(sink, out);
      if (sink.seekable) await sink.patch(end.patches);
    }
    report.audioSeconds = outputs[0]?.joiner.seconds();
    // A file is whole once the last chunk is joined: it is renamed into place before waiting for the
    // speakers to finish, so a problem or Ctrl-C while the end still plays does not lose it.
    for (const { sink } of [...outputs].sort((a, b) => Number(a.sink.live) - Number(b.sink.live))) await sink.commit();
  };

  try {
    await Promise.all([fetchAll().catch(fail), writeAll().catch(fail)]);
  } finally {
    job.signal.removeEventListener('abort', onOuterAbort);
    await Promise.all(buffers.map((b) => b.close()));
    if (failure !== undefined) await Promise.all(job.outputs.map((o) => o.sink.abort()));
    await job.store.close();
  }
  if (failure !== undefined) throw failure;
  return report;
}

/** A chunk's failure names the chunk, and says that a rerun will not pay again for finished ones. */
function chunkError(error: unknown, index: number, count: number, resumable: boolean): unknown {
  if (!(error instanceof ProviderError)) return error;
  const where = count > 1 ? `Chunk ${index + 1} of ${count}: ` : '';
  const resume = count > 1 && resumable ? ' Finished chunks are cached: rerun the same command to resume.' : '';
  return new ProviderError(`${where}${error.message}`, error.details, {
    hint: `${error.hint ?? ''}${resume}`.trim() || undefined,
    cause: error.cause,
  });
}
