import { ProviderError } from '../errors.js';
import { rateLimitsOf } from './rate-limit-headers.js';
import { headerValue, isRetryableStatus, retryAfterMs, type HeaderBag } from './retry-policy.js';

/** Headers that carry a request or generation id, in the order we prefer them. */
const REQUEST_ID_HEADERS = ['x-request-id', 'x-generation-id', 'apim-request-id', 'x-portkey-trace-id', 'x-litellm-call-id', 'request-id'];

export function requestIdOf(headers: HeaderBag): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const value = headerValue(headers, name);
    if (value) return value;
  }
  return undefined;
}

interface ErrorFields {
  message?: string | undefined;
  code?: string | undefined;
  type?: string | undefined;
}

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;

/**
 * The message, code and type from any of the error shapes these providers send:
 * OpenAI/LiteLLM/Aqueduct/Azure `{error:{message,type,code}}`, OpenRouter's numeric codes and
 * `{success:false,error:{name,message}}`, Portkey's `{status:"failure",message}`, Kokoro-FastAPI's
 * `{detail:{error,message,type}}` and FastAPI's `{detail:"…"}` or `{detail:[{msg}]}`.
 */
export function errorFields(body: unknown): ErrorFields {
  if (typeof body !== 'object' || body === null) return {};
  const b = body as Record<string, unknown>;
  const error = b['error'];
  if (typeof error === 'string') return { message: error };
  if (typeof error === 'object' && error !== null) {
    const e = error as Record<string, unknown>;
    return { message: str(e['message']), code: str(e['code']), type: str(e['type']) ?? str(e['name']) };
  }
  const detail = b['detail'];
  if (typeof detail === 'string') return { message: detail };
  if (Array.isArray(detail)) {
    const messages = detail.map((d) => str((d as Record<string, unknown>)?.['msg'])).filter(Boolean);
    return { message: messages.join('; ') || undefined, type: 'validation_error' };
  }
  if (typeof detail === 'object' && detail !== null) {
    const d = detail as Record<string, unknown>;
    return { message: str(d['message']), code: str(d['error']), type: str(d['type']) };
  }
  return { message: str(b['message']), code: str(b['code']), type: str(b['type']) };
}

const BILLING_HINT = 'The account is out of credits or quota: add credits, or check the plan and its billing, then rerun.';

/**
 * Out of money rather than out of breath: OpenAI's insufficient_quota comes as a 429 like a rate
 * limit, but asking again only spends the retries. OpenRouter says 402.
 */
const isBillingProblem = (status: number, fields: ErrorFields): boolean =>
  status === 402 || [fields.code, fields.type].some((v) => v !== undefined && /insufficient_quota|quota_exceeded|billing|credit|payment_required/i.test(v));

const hintFor = (status: number, provider: string): string | undefined => {
  switch (status) {
    case 400:
      return 'The provider refused the request: check the model, voice, format and speed it takes (tts voices, tts models).';
    case 401:
      return `Check the API key for ${provider} (its environment variable, or tts config set ${provider}.apiKey).`;
    case 402:
      return BILLING_HINT;
    case 403:
      return 'The key is not allowed to use this model or region.';
    case 404:
      return 'Check the model name and the base URL (requests go to <base-url>/audio/speech).';
    case 429:
      return 'Rate limited or out of quota: wait, lower --concurrency, or check the plan.';
    default:
      return status >= 500 ? 'The provider is having trouble; try again shortly.' : undefined;
  }
};

/** A non-2xx response as an error that speaks to the user, in the provider's own words. */
export function providerErrorFromResponse(provider: string, status: number, headers: HeaderBag, bodyText: string): ProviderError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    parsed = undefined;
  }
  const fields = errorFields(parsed);
  const plain = bodyText.trim().replace(/\s+/g, ' ').slice(0, 300);
  const looksHtml = /^<(!doctype|html|head|body)/i.test(plain);
  const message = fields.message ?? (plain && !looksHtml ? plain : `HTTP ${status}`);
  const shouldRetry = headerValue(headers, 'x-should-retry');
  const billing = isBillingProblem(status, fields);
  const retryable = billing ? false : shouldRetry === 'true' ? true : shouldRetry === 'false' ? false : isRetryableStatus(status);
  return new ProviderError(`${provider} answered ${status}: ${message}`, {
    provider,
    status,
    code: fields.code,
    type: fields.type,
    requestId: requestIdOf(headers),
    retryable,
    retryAfterMs: retryAfterMs(headers),
    limits: rateLimitsOf(headers),
  }, { hint: billing ? BILLING_HINT : hintFor(status, provider) });
}
