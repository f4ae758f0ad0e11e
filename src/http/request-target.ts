import { ConfigError } from '../errors.js';
import { headerValueProblem } from './header-value.js';

/** Where a request goes, as the HTTP client takes it. */
export interface RequestTarget {
  origin: string;
  path: string;
  headers: Record<string, string>;
}

export const hasUrlCredentials = (url: URL): boolean => url.username !== '' || url.password !== '';

export const hasAuthorization = (headers: Record<string, string>): boolean => Object.keys(headers).some((name) => name.toLowerCase() === 'authorization');

/**
 * Where a request goes and what it carries. Credentials in the URL (`http://user:pass@host/v1`)
 * travel as HTTP Basic auth, as curl sends them, never in the URL on the wire. Provider resolution
 * refuses them beside a key that is itself an Authorization header; this is the last guard.
 */
export function requestTarget(url: string, headers: Record<string, string>): RequestTarget {
  const parsed = new URL(url);
  const target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}`, headers };
  // A value Node would refuse fails here, once, with words, rather than as a network error.
  for (const [name, value] of Object.entries(headers)) {
    const problem = headerValueProblem(value);
    if (problem) throw new ConfigError(`The ${name} header holds ${problem}, which no HTTP header can carry`);
  }
  if (!hasUrlCredentials(parsed)) return target;
  if (hasAuthorization(headers)) {
    throw new ConfigError('The base URL carries a user name and password, but the request already sends an Authorization header', {
      hint: 'Drop them from the URL and give the key with the provider\'s apiKey setting.',
    });
  }
  const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  return { ...target, headers: { ...headers, authorization: `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}` } };
}
