import { InterruptedError, ProviderError } from '../errors.js';

export interface NetworkFailure {
  provider: string;
  url: string;
  error: unknown;
  /** Aborted by the user (Ctrl-C): that is an interruption, not a failure. */
  signal: AbortSignal;
  /** The request's own deadline (--timeout) ran out. */
  timedOut: boolean;
  timeoutMs: number;
  /** Whether the response had begun: a timeout then means a slow body, not a silent server. */
  answered: boolean;
}

/** A server whose certificate cannot be trusted: asking again will not change it. */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A request Node refuses to send (a header no HTTP can carry): sending it again changes nothing. */
const INVALID_REQUEST_CODES = new Set(['ERR_INVALID_CHAR', 'ERR_INVALID_HTTP_TOKEN', 'ERR_HTTP_INVALID_HEADER_VALUE']);

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

/**
 * A request that got no HTTP answer, as an error that says why in words: refused, unresolved, too
 * slow, not HTTPS, an untrusted certificate. Never an OpenSSL dump. Whether a retry may help is
 * decided here too: a plain-HTTP server or a bad certificate stays that way.
 */
export function networkError(failure: NetworkFailure): Error {
  const { provider, error } = failure;
  if (failure.signal.aborted) return new InterruptedError();
  const url = new URL(failure.url);
  const code = (error as { code?: string } | undefined)?.code ?? '';
  const message = firstLine(error);
  const fail = (why: string, { retryable, hint }: { retryable: boolean; hint?: string }): ProviderError =>
    new ProviderError(`Cannot reach ${provider}: ${why}`, { provider, retryable }, { hint, cause: error });
  const timeoutHint = `--timeout <seconds> allows a slower server more time; it bounds each request, from sending it to its last byte (now ${seconds(failure.timeoutMs)}).`;

  if (failure.timedOut) {
    const why = failure.answered ? 'the audio was still arriving when the timeout ran out' : 'no answer before the timeout';
    return fail(why, { retryable: true, hint: timeoutHint });
  }
  if (code === 'ECONNREFUSED') return fail(`connection refused by ${url.origin}`, { retryable: true, hint: 'Check the base URL and your network.' });
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return fail(`cannot resolve ${url.hostname}`, { retryable: true, hint: 'Check the base URL and your network.' });
  if (url.protocol === 'https:' && (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || /wrong version number|packet length too long|http request/i.test(message))) {
    const plain = `http://${url.host}`;
    return fail(`the server at ${url.origin} does not speak HTTPS; did you mean ${plain}?`, { retryable: false, hint: `Write the base URL with http://, e.g. ${plain}${basePath(url)}.` });
  }
  if (CERTIFICATE_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_')) {
    return fail(`the server at ${url.origin} has a certificate that cannot be trusted (${code})`, {
      retryable: false,
      hint: 'For a private certificate authority, point NODE_EXTRA_CA_CERTS at its certificate file.',
    });
  }
  if (INVALID_REQUEST_CODES.has(code)) return fail(message, { retryable: false });
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE') return fail('the connection was reset', { retryable: true });
  return fail(message, { retryable: true });
}

/** The base URL's path as the request shows it: everything before the endpoint's own path. */
function basePath(url: URL): string {
  const at = url.pathname.search(/\/(audio|models|openai)(\/|$)/);
  return at > 0 ? url.pathname.slice(0, at) : '';
}

/** An error's first line, without OpenSSL's `80DC…:error:0A00010B:SSL routines:…:` prefix. */
function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? 'unknown network error';
  const openssl = /^[0-9A-F]+:error:[0-9A-F]+:[^:]*:[^:]*:([^:]+)/.exec(line);
  return openssl?.[1] ?? line;
}
