import type { Dispatcher } from 'undici';
import type { AudioFormat } from '../audio/formats.js';
import { expectedContainer, sniff, SNIFF_BYTES, type Sniffed } from '../audio/sniff.js';
import { ProviderError, TtsError } from '../errors.js';
import type { HttpRequestSpec, ResponseDialect } from '../providers/provider-spec.js';
import { networkError } from './network-error.js';
import { providerErrorFromResponse, requestIdOf } from './provider-error.js';
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
  dispatcher: Dispatcher;
  signal: AbortSignal;
  /**
   * The longest the request may take, from sending it to its last byte (--timeout): a server that
   * trickles a byte now and then is cut off like a silent one.
   */
  timeoutMs: number;
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
  let response: Dispatcher.ResponseData;
  try {
    // The dispatcher's own request(): this module needs no runtime import of undici, which loads
    // while the text is being read.
    response = await attempt.dispatcher.request({
      ...target,
      method: 'POST',
      body: attempt.request.body,
      signal: AbortSignal.any([signal, deadline]),
      headersTimeout: attempt.timeoutMs,
      bodyTimeout: attempt.timeoutMs,
    });
  } catch (error) {
    throw failed(error, { answered: false });
  }
  const headers = response.headers;
  if (response.statusCode < 200 || response.statusCode >= 300) {
    const text = await readLimited(response.body, MAX_ERROR_BODY).catch(() => '');
    throw providerErrorFromResponse({ status: response.statusCode, headers, body: text }, { provider, dialect });
  }
  const requestId = requestIdOf(headers, dialect);
  const contentType = headerValue(headers, 'content-type') ?? 'no content type';
  let head: Buffer | undefined = Buffer.alloc(0);
  let decoder: SseAudioDecoder | undefined;
  let audioBytes = 0;
  // A failure of whoever consumes the audio (a full disk, a malformed chunk) is theirs, not the network's.
  let consumerError: unknown;
  const emit = async (parts: Uint8Array[]): Promise<void> => {
    for (const part of parts) {
      if (part.length === 0) continue;
      audioBytes += part.length;
      try {
        await attempt.onAudio(part);
      } catch (error) {
        consumerError = error;
        throw error;
      }
    }
  };
  const begin = async (first: Buffer): Promise<void> => {
    const sniffed = sniff(first);
    // The bytes decide, not the label or the ask: Aqueduct labels raw audio text/event-stream, and a
    // server may ignore stream_format and send raw audio. An SSE stream starts with a field or comment.
    if (sniffed.kind === 'text' && sniffed.what === 'sse') {
      decoder = new SseAudioDecoder({ provider, dialect });
      await emit(decoder.push(first));
      return;
    }
    checkAudioStart(first, { provider, format: attempt.format, sniffed, contentType, requestId });
    await emit([first]);
  };
  try {
    for await (const part of response.body) {
      const bytes = part as Buffer;
      if (head !== undefined) {
        head = Buffer.concat([head, bytes]);
        if (head.length < SNIFF_BYTES) continue;
        const first = head;
        head = undefined;
        await begin(first);
      } else if (decoder) {
        await emit(decoder.push(bytes));
      } else {
        await emit([bytes]);
      }
    }
    if (head !== undefined && head.length > 0) await begin(head);
    if (decoder) {
      await emit(decoder.end());
      if (!decoder.done) {
        throw new ProviderError(`${provider}'s SSE stream ended before speech.audio.done`, { provider, requestId, retryable: true });
      }
    }
  } catch (error) {
    response.body.destroy();
    if (error === consumerError || error instanceof TtsError) throw error;
    throw failed(error, { answered: true });
  }
  if (audioBytes === 0) {
    throw new ProviderError(`${provider} answered ${response.statusCode} with no audio`, { provider, requestId, retryable: true });
  }
  return { requestId, audioBytes };
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

async function readLimited(body: AsyncIterable<unknown>, limit: number): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of body) {
    const bytes = part as Buffer;
    if (size < limit) parts.push(bytes.subarray(0, limit - size));
    size += bytes.length;
  }
  return Buffer.concat(parts).toString('utf8');
}
