import { ProviderError } from '../errors.js';
import { createHttpClient, type HttpClient, type HttpResponse } from '../http/http-client.js';
import { networkError } from '../http/network-error.js';
import { providerErrorFromResponse } from '../http/provider-error.js';
import { requestTarget } from '../http/request-target.js';
import { joinUrl } from '../providers/provider-spec.js';
import type { ResolvedProvider } from '../providers/registry.js';

export interface JsonRequest {
  provider: ResolvedProvider;
  /** Relative to the base URL. */
  path: string;
  http: HttpClient;
  signal: AbortSignal;
  /** The longest the whole request may take. */
  timeoutMs?: number;
}

/** GET `<base-url>/<path>` with the provider's auth, as JSON; failures are ProviderErrors. */
export async function getJson({ provider, path, http, signal, timeoutMs = 15_000 }: JsonRequest): Promise<unknown> {
  const url = joinUrl(provider.connection.baseUrl, path);
  const name = provider.connection.name;
  const target = requestTarget(url, { accept: 'application/json', ...provider.spec.authHeaders(provider.connection) });
  const deadline = AbortSignal.timeout(timeoutMs);
  let response: HttpResponse;
  let text: string;
  try {
    response = await http.request({ ...target, method: 'GET', signal: AbortSignal.any([signal, deadline]) });
    text = await readText(response.body, () => new ProviderError(`${name} answered ${target.path.split('?')[0]} with more than ${MAX_JSON_BYTES / 1024 ** 2} MiB: not a list tts can use`, { provider: name, retryable: false }));
  } catch (error) {
    if (error instanceof ProviderError) throw error;
    throw networkError({ provider: name, url, error, signal, timedOut: deadline.aborted, timeoutMs, answered: false });
  }
  if (response.status < 200 || response.status >= 300) {
    throw providerErrorFromResponse({ status: response.status, headers: response.headers, body: text }, { provider: name, dialect: provider.spec.responses });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ProviderError(`${name} answered ${target.path.split('?')[0]} with something that is not JSON`, { provider: name, retryable: false });
  }
}

/**
 * The most a voice or model list may hold. OpenRouter's whole model catalog is about 1 MB; a server
 * that sends without end would otherwise grow memory until the timeout.
 */
const MAX_JSON_BYTES = 16 * 1024 ** 2;

async function readText(body: AsyncIterable<Uint8Array>, tooLong: () => Error): Promise<string> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const part of body) {
    size += part.length;
    // Leaving the loop closes the response: nothing more is read.
    if (size > MAX_JSON_BYTES) throw tooLong();
    parts.push(part);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Runs `use` with an HTTP client of its own, closed afterwards. */
export async function withHttpClient<T>(use: (http: HttpClient) => Promise<T>): Promise<T> {
  const http = createHttpClient({ connections: 1 });
  try {
    return await use(http);
  } finally {
    await http.close();
  }
}
