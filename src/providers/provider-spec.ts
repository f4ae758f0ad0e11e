import type { AudioFormat } from '../audio/formats.js';
import type { SettingInfo } from '../config/config-keys.js';

export type StreamFormat = 'audio' | 'sse';

/** What the user asked for, after defaults: the same for every chunk of a run. */
export interface SpeechSettings {
  model: string;
  voice: string;
  /** The format asked of the server (may differ from the file's when we encode locally). */
  format: AudioFormat;
  speed?: number | undefined;
  instructions?: string | undefined;
  streamFormat: StreamFormat;
}

/** A provider with its connection settings resolved from flags, environment and config. */
export interface ProviderConnection {
  name: string;
  baseUrl: string;
  apiKey?: string | undefined;
  /** Any other `<name>.<key>` config value (portkey.virtualKey, azure.apiVersion…). */
  setting(key: string): string | undefined;
}

export interface HttpRequestSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * Settings checked once per run: warnings to print, and for each chunk's text either an HTTP
 * request to send, or (the built-in voice) audio made right here.
 */
export type PreparedSpeech =
  | { kind: 'http'; warnings: string[]; request(input: string): HttpRequestSpec }
  | {
      kind: 'in-process';
      warnings: string[];
      /** Refuses settings it cannot honour, once, before any chunk (or cache lookup). */
      check(signal: AbortSignal): Promise<void>;
      synthesize(input: string, signal: AbortSignal): Promise<Uint8Array>;
    };

/** What an error body says, in whatever shape the provider sent it. */
export interface ErrorFields {
  message?: string | undefined;
  code?: string | undefined;
  type?: string | undefined;
}

/** Reads one shape of error body (parsed JSON); undefined when the body is not of that shape. */
export type ErrorShape = (body: unknown) => ErrorFields | undefined;

/** How a provider's answers read: the shapes of its errors, the ones that mean money, its request ids. */
export interface ResponseDialect {
  /** Tried in order on a JSON error body (also an SSE error event); the first that reads it wins. */
  errorShapes: readonly ErrorShape[];
  /** Out of money rather than out of breath: never retried, and the hint says so. */
  billing: {
    statuses: readonly number[];
    /** Matched against the error's code and type (OpenAI sends insufficient_quota as a 429). */
    codes: RegExp;
  };
  /** Headers that name a request for the provider's support, the first present wins. */
  requestIdHeaders: readonly string[];
}

export interface VoiceInfo {
  id: string;
  name?: string | undefined;
  language?: string | undefined;
  gender?: string | undefined;
}

export interface ModelInfo {
  id: string;
  name?: string | undefined;
  /** US dollars per input character, where the provider says. */
  perCharacterUsd?: number | undefined;
  /** The voices this model takes, where the provider says. */
  voices?: string[] | undefined;
}

/** What a run of some characters is likely to cost, and how that was worked out. */
export interface CostEstimate {
  usd: number;
  basis: string;
}

/** Where a provider can be asked what it has, relative to its base URL, and how to read the answer. */
export interface ProviderDiscovery {
  /** A voice list: Kokoro-FastAPI's `audio/voices`, for one. */
  voices?: { path: string; read(body: unknown): VoiceInfo[] | undefined };
  /** A model list, read down to the speech models. */
  models?: { path: string; read(body: unknown): ModelInfo[] };
  /** Voices listed without a server: the built-in voice asks its own engine. */
  localVoices?(signal: AbortSignal): Promise<VoiceInfo[]>;
  /** Its model list names each model's voices (OpenRouter's): `tts voices -m` reads them there. */
  voicesFromModels?: boolean;
  /** Its model list names each model's price (OpenRouter's): a dry run asks it rather than guess. */
  pricesFromModels?: boolean;
}

/**
 * A provider is data plus small hooks, and one adapter (`prepare`) that turns settings into requests.
 * Everything tts knows of a provider is here: how it authenticates and which of that is secret, what
 * its errors look like, how it lists voices and models, what it charges, which config keys it takes.
 * Adding a provider is one file that exports one of these, and a line in the registry.
 */
export interface ProviderSpec {
  name: string;
  description: string;
  /** Environment variable holding the key, e.g. OPENAI_API_KEY; none for the built-in voice. */
  apiKeyEnv: string | undefined;
  /** Environment variables that override the base URL, first wins. */
  baseUrlEnv: readonly string[];
  /** Where requests go when nothing overrides it; self-hosted providers have none. */
  defaultBaseUrl?: string | undefined;
  /** Speaks in this process (the built-in voice): no base URL, no network. */
  inProcess?: boolean;
  keyRequired: boolean;
  /** Formats the server itself can send. */
  formats: readonly AudioFormat[];
  defaultModel: string;
  defaultVoice: string;
  /** Known voices: a guide for humans, never a gate (voices are open strings). */
  voices: readonly string[];
  models: readonly string[];
  /** Characters one request may carry, before our safety margin. */
  maxInputChars: number;
  /** How requests authenticate (speech and discovery alike). */
  authHeaders(connection: ProviderConnection): Record<string, string>;
  /** Request headers whose values are secrets (lower case): --debug shows them masked. */
  secretHeaders: readonly string[];
  responses: ResponseDialect;
  discovery?: ProviderDiscovery;
  /** Published prices, where tts knows them: the estimate of --dry-run and the summary. */
  price?(model: string, characters: number): CostEstimate | undefined;
  /** Config keys beyond apiKey and baseUrl (`<name>.<key>`), with what they are for. */
  settings: Readonly<Record<string, SettingInfo>>;
  prepare(connection: ProviderConnection, settings: SpeechSettings): PreparedSpeech;
}

/**
 * `<base>/<path>`, with a query in the base URL kept after the path, where servers look for it:
 * `http://h/v1?token=x` and `audio/speech?a=1` make `http://h/v1/audio/speech?a=1&token=x`.
 */
export function joinUrl(baseUrl: string, path: string): string {
  const [base = '', baseQuery = ''] = splitQuery(baseUrl);
  const [route = '', routeQuery = ''] = splitQuery(path);
  const query = [routeQuery, baseQuery].filter((q) => q !== '').join('&');
  return `${base.replace(/\/+$/, '')}/${route.replace(/^\/+/, '')}${query ? `?${query}` : ''}`;
}

/** A URL's part before `?`, and its query without `?` (a fragment is never sent, so it goes). */
function splitQuery(url: string): [string, string] {
  const noFragment = url.split('#')[0] ?? '';
  const at = noFragment.indexOf('?');
  return at === -1 ? [noFragment, ''] : [noFragment.slice(0, at), noFragment.slice(at + 1)];
}
