import type { AudioFormat } from '../audio/formats.js';
import { chunkKey } from '../cache/chunk-store.js';
import { ProviderError } from '../errors.js';
import type { HttpClient } from '../http/http-client.js';
import { fetchSpeech } from '../http/speech-client.js';
import type { PlannedRequest } from '../plan/plan-requests.js';
import type { PreparedSpeech } from '../providers/provider-spec.js';
import type { ResolvedProvider } from '../providers/registry.js';
import type { AttemptRun, AudioTask } from '../schedule/scheduler.js';
import type { ExchangeInfo, SpeakEvents } from './speak-events.js';

/** What a run counts as it goes; the report is read from it at the end. */
export class RunTally {
  requests = 0;
  retries = 0;
  cacheHits = 0;
  /** Code points actually sent: cache hits cost nothing. */
  sentCharacters = 0;
  readonly requestIds: string[] = [];
}

export interface RequestTaskContext {
  provider: ResolvedProvider;
  /** The format asked of the server. */
  wire: AudioFormat;
  /** The provider's adapter for this request's settings. */
  prepared(request: PlannedRequest): PreparedSpeech;
  http: HttpClient;
  timeoutMs: number;
  tally: RunTally;
  events: SpeakEvents;
  /** The job's place in the run: its requests go before those of later jobs. */
  job: number;
  /** Requests in the plan, to name a failing one; undefined while the plan is still being cut. */
  count(): number | undefined;
  /** Whether finished requests outlive the run, so a failure can say that a rerun resumes. */
  resumable: boolean;
}

/** One planned request as the scheduler runs it: its cache key, one attempt, how it fails. */
export function requestTask(request: PlannedRequest, context: RequestTaskContext): AudioTask {
  const { connection } = context.provider;
  const { settings } = request;
  return {
    key: chunkKey({ provider: connection.name, baseUrl: connection.baseUrl, model: settings.model, voice: settings.voice, format: context.wire, speed: settings.speed, instructions: settings.instructions, text: request.text }),
    order: [context.job, request.index],
    attempt: (run) => attemptRequest(request, run, context),
    onRetry: (error, attempt, delayMs) => {
      context.tally.retries++;
      context.events.retrying(request.index, error, attempt, delayMs);
    },
    // Sent again once the limit allows: a retry in the tally, but no line of its own (the wait shows).
    onRefused: () => void context.tally.retries++,
    describeFailure: (error) => requestError(error, { index: request.index, count: context.count(), resumable: context.resumable }),
  };
}

async function attemptRequest(request: PlannedRequest, run: AttemptRun, context: RequestTaskContext): Promise<void> {
  const prepared = context.prepared(request);
  context.tally.requests++;
  if (run.attempt === 1) context.tally.sentCharacters += [...request.text].length;
  if (prepared.kind === 'in-process') {
    run.accepted();
    await run.buffer.append(await prepared.synthesize(request.text, run.signal));
    return;
  }
  const http = prepared.request(request.text);
  const started = Date.now();
  const exchange: Omit<ExchangeInfo, 'ms'> = { index: request.index, attempt: run.attempt, url: http.url, headers: http.headers, body: http.body };
  try {
    const result = await fetchSpeech({
      provider: context.provider.connection.name,
      dialect: context.provider.spec.responses,
      request: http,
      format: context.wire,
      http: context.http,
      signal: run.signal,
      timeoutMs: context.timeoutMs,
      onAccepted: (limits) => run.accepted(limits),
      onAudio: (bytes) => run.buffer.append(bytes),
    });
    if (result.requestId) context.tally.requestIds.push(result.requestId);
    context.events.exchange?.({ ...exchange, ms: Date.now() - started, bytes: result.audioBytes, requestId: result.requestId });
  } catch (error) {
    context.events.exchange?.({ ...exchange, ms: Date.now() - started, error });
    throw error;
  }
}

/** A request's failure names it, and says that a rerun will not pay again for finished ones. */
function requestError(error: unknown, where: { index: number; count: number | undefined; resumable: boolean }): unknown {
  if (!(error instanceof ProviderError)) return error;
  // A count not known yet (request 0 failed while the rest was being cut) is not guessed at.
  const many = where.count === undefined || where.count > 1;
  const prefix = !many ? '' : where.count === undefined ? `Chunk ${where.index + 1}: ` : `Chunk ${where.index + 1} of ${where.count}: `;
  const resume = many && where.resumable ? ' Finished chunks are cached: rerun the same command to resume.' : '';
  return new ProviderError(`${prefix}${error.message}`, error.details, {
    hint: `${error.hint ?? ''}${resume}`.trim() || undefined,
    cause: error.cause,
  });
}
