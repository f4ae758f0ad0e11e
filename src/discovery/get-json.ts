import type { Dispatcher } from 'undici';
import { InterruptedError, ProviderError } from '../errors.js';
import { providerErrorFromResponse } from '../http/provider-error.js';
import { joinUrl } from '../providers/provider-spec.js';
import type { ResolvedProvider } from '../providers/registry.js';

/** GET `<base-url>/<path>` with the provider's auth, as JSON; failures are ProviderErrors. */
export async function getJson(provider: ResolvedProvider, path: string, dispatcher: Dispatcher, signal: AbortSignal, timeoutMs = 15_000): Promise<unknown> {
  const url = new URL(joinUrl(provider.connection.baseUrl, path));
  const name = provider.connection.name;
  let response: Dispatcher.ResponseData;
  try {
    response = await dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: { accept: 'application/json', ...provider.spec.authHeaders(provider.connection) },
      signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  } catch (error) {
    if (signal.aborted) throw new InterruptedError();
    throw new ProviderError(`Cannot reach ${name} at ${url.origin}: ${(error as Error).message}`, { provider: name, retryable: true }, { cause: error });
  }
  const text = await response.body.text();
  if (response.statusCode < 200 || response.statusCode >= 300) throw providerErrorFromResponse(name, response.statusCode, response.headers, text);
  try {
    return JSON.parse(text);
  } catch {
    throw new ProviderError(`${name} answered ${url.pathname} with something that is not JSON`, { provider: name, retryable: false });
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
