import type { AudioFormat } from '../audio/formats.js';
import { expectedContainer, sniff, SNIFF_BYTES, type Sniffed } from '../audio/sniff.js';
import { ProviderError, TtsError } from '../errors.js';
import type { HttpRequestSpec, ResponseDialect } from '../providers/provider-spec.js';
import type { HttpClient, HttpResponse } from './http-client.js';
import { networkError } from './network-error.js';
import { providerErrorFromResponse, requestIdOf } from './provider-error.js';
import { rateLimitsOf, type RateLimits } from './rate-limit-headers.js';
import { requestTarget } from './request-target.js';
import { headerValue } from './retry-policy.js';
import { SseAudioDecoder } from './sse-decoder.js';

export interface SpeechAttempt {
  provider: string;
  /** How the provider's errors and request ids read. */
  dialect: ResponseDialect;
  request: HttpRequestSpec;
  /** The format we asked for: the bytes must be it, whatever the Content-Type says. */
  format: AudioFormat;
  http: HttpClient;
  signal: AbortSignal;
  /**
   * The longest the request may take, from sending it to its last byte (--timeout): a server that
   * trickles a byte now and then is cut off like a silent one.
   */
  timeoutMs: number;
  /**
   * The provider took the request (a 2xx status), with what it said about the rate limits: the
   * scheduler paces on it before the audio has finished arriving.
   */
  onAccepted?(limits: RateLimits): void;
  /** Receives the audio as it arrives; its promise is awaited, which is the back-pressure. */
  onAudio(bytes: Uint8Array): Promise<void> | void;
}

export interface SpeechResult {
  requestId: string | undefined;
  audioBytes: number;
}

const MAX_ERROR_BODY = 64 * 1024;

/** One request for one chunk's speech, its audio streamed to `onAudio`. Errors say if a retry may help. */
export async function fetchSpeech(attempt: SpeechAttempt): Promise<SpeechResult> {
  const { provider, dialect, signal } = attempt;
  const target = requestTarget(attempt.request.url, attempt.request.headers);
  const deadline = AbortSignal.timeout(attempt.timeoutMs);
  const failed = (error: unknown, { answered }: { answered: boolean }): Error =>
    networkError({ provider, url: attempt.request.url, error, signal, timedOut: deadline.aborted, timeoutMs: attempt.timeoutMs, answered });
  let response: HttpResponse;
  try {
    response = await attempt.http.request({ ...target, method: 'POST', body: attempt.request.body, signal: AbortSignal.any([signal, deadline]) });
  } catch (error) {
    throw failed(error, { answered: false });
  }
  const { status, headers } = response;
  if (status < 200 || status >= 300) {
    const text = await readLimited(response.body, MAX_ERROR_BODY).catch(() => '');
    throw providerErrorFromResponse({ status, headers, body: text }, { provider, dialect });
  }
  attempt.onAccepted?.(rateLimitsOf(headers));
  const requestId = requestIdOf(headers, dialect);
  const reader = new AudioReader(attempt, { requestId, contentType: headerValue(headers, 'content-type') ?? 'no content type' });
  try {
    for await (const part of response.body) await reader.push(part);
    await reader.end();
  } catch (error) {
    response.destroy();
    if (reader.failedConsumer(error) || error instanceof TtsError) throw error;
    throw failed(error, { answered: true });
  }
  if (reader.audioBytes === 0) {
    throw new ProviderError(`${provider} answered ${status} with no audio`, { provider, requestId, retryable: true });
  }
  return { requestId, audioBytes: reader.audioBytes };
}

/**
 * A response body on its way to `onAudio`: its first bytes decide between raw audio (checked to be
 * the format asked for) and an SSE stream (decoded), whatever the Content-Type says.
 */
class AudioReader {
  audioBytes = 0;
  private head: Buffer | undefined = Buffer.alloc(0);
  private decoder: SseAudioDecoder | undefined;
  /** A failure of whoever consumes the audio (a full disk, a malformed chunk) is theirs, not the network's. */
  private consumerError: unknown;

  constructor(
    private readonly attempt: SpeechAttempt,
    private readonly response: { requestId: string | undefined; contentType: string },
  ) {}

  async push(part: Uint8Array): Promise<void> {
    if (this.head !== undefined) {
      this.head = Buffer.concat([this.head, part]);
      if (this.head.length < SNIFF_BYTES) return;
      const first = this.head;
      this.head = undefined;
      await this.begin(first);
    } else if (this.decoder) {
      await this.emit(this.decoder.push(part));
    } else {
      await this.emit([part]);
    }
  }

  async end(): Promise<void> {
    if (this.head !== undefined && this.head.length > 0) await this.begin(this.head);
    if (!this.decoder) return;
    await this.emit(this.decoder.end());
    if (!this.decoder.done) {
      const { provider } = this.attempt;
      throw new ProviderError(`${provider}'s SSE stream ended before speech.audio.done`, { provider, requestId: this.response.requestId, retryable: true });
    }
  }

  failedConsumer(error: unknown): boolean {
    return error !== undefined && error === this.consumerError;
  }

  private async begin(first: Buffer): Promise<void> {
    const { provider, dialect, format } = this.attempt;
    const sniffed = sniff(first);
    // The bytes decide, not the label or the ask: Aqueduct labels raw audio text/event-stream, and a
    // server may ignore stream_format and send raw audio. An SSE stream starts with a field or comment.
    if (sniffed.kind === 'text' && sniffed.what === 'sse') {
      this.decoder = new SseAudioDecoder({ provider, dialect });
      await this.emit(this.decoder.push(first));
      return;
    }
    checkAudioStart(first, { provider, format, sniffed, ...this.response });
    await this.emit([first]);
  }

  private async emit(parts: Uint8Array[]): Promise<void> {
    for (const part of parts) {
      if (part.length === 0) continue;
      this.audioBytes += part.length;
      try {
        await this.attempt.onAudio(part);
      } catch (error) {
        this.consumerError = error;
        throw error;
      }
    }
  }
}

/** What is known of a response when its first bytes arrive. */
interface AudioStart {
  provider: string;
  /** The format asked for. */
  format: AudioFormat;
  /** What the first bytes look like. */
  sniffed: Sniffed;
  contentType: string;
  requestId: string | undefined;
}

/**
 * A 200 carrying an HTML page or JSON (a wrong base URL, a captive portal, a proxy's error) must never
 * be saved as audio; nor may another container than the one asked for.
 */
function checkAudioStart(first: Uint8Array, { provider, format, sniffed, contentType, requestId }: AudioStart): void {
  const fail = (message: string, hint: string): never => {
    throw new ProviderError(message, { provider, requestId, retryable: false }, { hint });
  };
  if (sniffed.kind === 'text' && (sniffed.what === 'html' || sniffed.what === 'json' || format !== 'pcm')) {
    const preview = Buffer.from(first).toString('utf8').trim().replace(/\s+/g, ' ').slice(0, 120);
    fail(
      `${provider} answered 200 with ${sniffed.what === 'html' ? 'an HTML page' : sniffed.what === 'json' ? 'JSON' : 'text'} (${contentType}) instead of ${format} audio: ${preview}`,
      'Check the base URL: it should be the API root, e.g. https://api.openai.com/v1.',
    );
  }
  const expected = expectedContainer(format);
  const actual = sniffed.kind === 'audio' ? sniffed.container : undefined;
  if (expected !== undefined && actual !== expected) {
    const sent = actual === 'ogg' ? 'opus' : actual === 'mp4' ? undefined : actual;
    fail(
      `${provider} was asked for ${format} but sent ${actual ?? 'unrecognised bytes'} (${contentType})`,
      sent ? `The server seems not to make ${format}; --format ${sent} would work.` : `The server seems not to make ${format}; try another --format.`,
    );
  }
  if (format === 'pcm' && actual !== undefined) {
    fail(`${provider} was asked for raw pcm but sent ${actual} (${contentType})`, 'Try --format wav.');
  }
}

/** The start of a body as text; the rest is read and dropped, so the connection can be reused. */
export async function readLimited(body: AsyncIterable<Uint8Array>, limit: number): Promise<string> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const bytes of body) {
    if (size < limit) parts.push(bytes.subarray(0, limit - size));
    size += bytes.length;
  }
  return Buffer.concat(parts).toString('utf8');
}
