import { ProviderError } from '../errors.js';
import { rateLimitsOf } from './rate-limit-headers.js';
import type { ErrorFields, ResponseDialect } from '../providers/provider-spec.js';
import { headerValue, isRetryableStatus, retryAfterMs, type HeaderBag } from './retry-policy.js';

/** The request's id, from the first of the provider's request-id headers that is there. */
export function requestIdOf(headers: HeaderBag, dialect: ResponseDialect): string | undefined {
  for (const name of dialect.requestIdHeaders) {
    const value = headerValue(headers, name);
    if (value) return value;
  }
  return undefined;
}

/** What an error body says, read by the first of the provider's shapes that fits it. */
export function readError(dialect: ResponseDialect, body: unknown): ErrorFields {
  for (const shape of dialect.errorShapes) {
    const fields = shape(body);
    if (fields !== undefined) return fields;
  }
  return {};
}

const BILLING_HINT = 'The account is out of credits or quota: add credits, or check the plan and its billing, then rerun.';

/** Out of money rather than out of breath: asking again only spends the retries. */
const isBillingProblem = (status: number, fields: ErrorFields, billing: ResponseDialect['billing']): boolean =>
  billing.statuses.includes(status) || [fields.code, fields.type].some((v) => v !== undefined && billing.codes.test(v));

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

/** A provider's answer that was not a 2xx. */
export interface ErrorResponse {
  status: number;
  headers: HeaderBag;
  /** The body as text (the start of it, for a long one). */
  body: string;
}

/** Who answered: the name to show, and how its answers read. */
export interface Responder {
  provider: string;
  dialect: ResponseDialect;
}

/** A non-2xx response as an error that speaks to the user, in the provider's own words. */
export function providerErrorFromResponse({ status, headers, body: bodyText }: ErrorResponse, { provider, dialect }: Responder): ProviderError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    parsed = undefined;
  }
  const fields = readError(dialect, parsed);
  const plain = bodyText.trim().replace(/\s+/g, ' ').slice(0, 300);
  const looksHtml = /^<(!doctype|html|head|body)/i.test(plain);
  const message = fields.message ?? (plain && !looksHtml ? plain : `HTTP ${status}`);
  const shouldRetry = headerValue(headers, 'x-should-retry');
  const billing = isBillingProblem(status, fields, dialect.billing);
  const retryable = billing ? false : shouldRetry === 'true' ? true : shouldRetry === 'false' ? false : isRetryableStatus(status);
  return new ProviderError(`${provider} answered ${status}: ${message}`, {
    provider,
    status,
    code: fields.code,
    type: fields.type,
    requestId: requestIdOf(headers, dialect),
    retryable,
    retryAfterMs: retryAfterMs(headers),
    limits: rateLimitsOf(headers),
  }, { hint: billing ? BILLING_HINT : hintFor(status, provider) });
}
