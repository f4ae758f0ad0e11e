import type { Dispatcher } from 'undici';
import { ProviderError } from '../errors.js';
import { networkError } from '../http/network-error.js';
import { providerErrorFromResponse } from '../http/provider-error.js';
import { requestTarget } from '../http/request-target.js';
import { joinUrl } from '../providers/provider-spec.js';
import type { ResolvedProvider } from '../providers/registry.js';

export interface JsonRequest {
  provider: ResolvedProvider;
  /** Relative to the base URL. */
  path: string;
  dispatcher: Dispatcher;
  signal: AbortSignal;
  /** The longest the whole request may take. */
  timeoutMs?: number;
}

/** GET `<base-url>/<path>` with the provider's auth, as JSON; failures are ProviderErrors. */
export async function getJson({ provider, path, dispatcher, signal, timeoutMs = 15_000 }: JsonRequest): Promise<unknown> {
  const url = joinUrl(provider.connection.baseUrl, path);
  const name = provider.connection.name;
  const target = requestTarget(url, { accept: 'application/json', ...provider.spec.authHeaders(provider.connection) });
  const deadline = AbortSignal.timeout(timeoutMs);
  let response: Dispatcher.ResponseData;
  let text: string;
  try {
    response = await dispatcher.request({ ...target, method: 'GET', signal: AbortSignal.any([signal, deadline]), headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    text = await response.body.text();
  } catch (error) {
    throw networkError({ provider: name, url, error, signal, timedOut: deadline.aborted, timeoutMs, answered: false });
  }
  if (response.statusCode < 200 || response.statusCode >= 300) {
    throw providerErrorFromResponse({ status: response.statusCode, headers: response.headers, body: text }, { provider: name, dialect: provider.spec.responses });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ProviderError(`${name} answered ${target.path.split('?')[0]} with something that is not JSON`, { provider: name, retryable: false });
  }
}

/** Runs `use` with an HTTP agent of its own, loaded on demand and closed afterwards. */
export async function withAgent<T>(use: (dispatcher: Dispatcher) => Promise<T>): Promise<T> {
  const { Agent } = await import('undici');
  const agent = new Agent();
  try {
    return await use(agent);
  } finally {
    await agent.destroy();
  }
}
