/**
 * What must never be printed, and how it is hidden: API keys, passwords in URLs, credentials in a
 * URL's query, and whatever a provider echoes back of them. Pure: every printed word passes here.
 */

/** Enough of a secret to tell two apart, never enough to use one. */
export function maskSecret(value: string): string {
  return value.length >= 16 ? `${value.slice(0, 3)}…${value.slice(-4)}` : '****';
}

/** Query parameters that carry credentials, by their names: ?token=, ?key=, ?api-key=, ?sig=… */
const SECRET_QUERY_NAME = /(token|key|secret|password|passwd|pwd|sig|signature|auth|authorization|credentials?|session)$/i;
/** `scheme://userinfo@`: greedy up to the last @ before the path, as a URL parser reads it. */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#]*)@/gi;
const QUERY_PAIR = /([?&])([^=&#\s]+)=([^&#\s]*)/g;

/**
 * Any URL in `text` with its password (or a lone user name, which is then a token) and its secret
 * query values masked: `http://me:pw@h/v1?token=x` → `http://me:****@h/v1?token=****`.
 */
export function maskUrl(text: string): string {
  return text
    .replace(USERINFO, (_all, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      return colon === -1 ? `${scheme}****@` : `${scheme}${userinfo.slice(0, colon)}:****@`;
    })
    .replace(QUERY_PAIR, (all, sep: string, name: string, value: string) => (value !== '' && SECRET_QUERY_NAME.test(name) ? `${sep}${name}=****` : all));
}

/** What providers' keys look like (OpenAI, OpenRouter, LiteLLM virtual keys, Anthropic…): sk-… */
const KEY_LIKE = /\bsk-[A-Za-z0-9][A-Za-z0-9_-]{7,}/g;
/** A credential after its scheme, as an echoed Authorization header shows it. */
const AUTH_SCHEME = /\b(Bearer|Basic)\s+([A-Za-z0-9._~+/=-]{8,})/g;
/** "Basic authentication failed" names no credential: a token is long or holds a digit. */
const looksLikeToken = (word: string): boolean => word.length >= 16 || /\d/.test(word);
/**
 * Shorter values are not hidden by exact match: a test key "k" would blank every k, and a real key
 * is far longer. Such short secrets are still masked where they show as URL credentials.
 */
const MIN_SECRET_LENGTH = 6;

/**
 * Hides every secret it was told of (the key, URL credentials, gateway keys) wherever it shows,
 * then anything that looks like a key or URL credentials, so a provider message echoing a key
 * ("Received API Key = sk-…") is harmless.
 */
export class Redactor {
  private secrets: string[] = [];

  add(...values: (string | undefined)[]): void {
    for (const value of values) {
      if (value === undefined || value.length < MIN_SECRET_LENGTH) continue;
      // A URL's password is read percent-encoded: both spellings are hidden.
      for (const form of new Set([value, safeDecode(value), encodeURIComponent(value)])) {
        if (form.length >= MIN_SECRET_LENGTH && !this.secrets.includes(form)) this.secrets.push(form);
      }
    }
    // The longest first, so a secret holding another is hidden whole.
    this.secrets.sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join(maskSecret(secret));
    return maskUrl(out)
      .replace(KEY_LIKE, (key) => maskSecret(key))
      .replace(AUTH_SCHEME, (all, scheme: string, token: string) => (looksLikeToken(token) ? `${scheme} ${maskSecret(token)}` : all));
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
