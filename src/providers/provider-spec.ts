import type { AudioFormat } from '../audio/formats.js';

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

/**
 * A provider is data plus one small adapter (`prepare`). Adding a provider is one file that exports
 * one of these, and a line in the registry.
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
  /** Where the provider can be asked what it has: voices and models, relative to the base URL. */
  discovery?: {
    voicesPath?: string;
    modelsPath?: string;
    /** Keeps the speech models of a general model list, where ids say so. */
    isSpeechModel?(id: string): boolean;
  };
  /** Config keys beyond apiKey and baseUrl, with what they are for. */
  settings: Readonly<Record<string, string>>;
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
