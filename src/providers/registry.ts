import type { ConfigReader } from '../config/config-file.js';
import type { Env } from '../config/env.js';
import { maskUrl } from '../config/secrets.js';
import { ConfigError, UsageError } from '../errors.js';
import { headerValueProblem } from '../http/header-value.js';
import { hasAuthorization, hasUrlCredentials } from '../http/request-target.js';
import { aqueduct } from './aqueduct.js';
import { azure } from './azure.js';
import { customProvider } from './custom.js';
import { litellm } from './litellm.js';
import { local } from './local.js';
import { openai } from './openai.js';
import { openrouter } from './openrouter.js';
import { portkey } from './portkey.js';
import type { ProviderConnection, ProviderSpec } from './provider-spec.js';

/** Every provider tts knows by name. A new provider is its file and a line here. */
export const BUILT_IN_PROVIDERS: readonly ProviderSpec[] = [openai, openrouter, litellm, portkey, aqueduct, azure, local];

/** Where a provider's settings come from, and which providers there are. */
export interface ProviderSources {
  env: Env;
  config: ConfigReader;
  /** The providers known by name: BUILT_IN_PROVIDERS, unless the caller (a test) brings its own. */
  known: readonly ProviderSpec[];
}

export interface ProviderChoice {
  /** `--provider`, when given. */
  name?: string | undefined;
  /** `--base-url`, when given. */
  baseUrl?: string | undefined;
}

/** Where the key came from, to name it when it is wrong: an environment variable or the config file. */
export type KeySource = { kind: 'env'; variable: string } | { kind: 'config'; key: string };

export interface ResolvedProvider {
  spec: ProviderSpec;
  connection: ProviderConnection;
  keySource?: KeySource | undefined;
}

export interface ResolveOptions {
  /** Listing voices or models can do without a key: the built-in lists are shown instead. */
  allowMissingKey?: boolean;
}

/** Config sections with a baseUrl that are not known providers: each one is an OpenAI-compatible server. */
export function customProviderNames({ config, known }: Pick<ProviderSources, 'config' | 'known'>): string[] {
  return config
    .sections()
    .filter((name) => !known.some((p) => p.name === name) && typeof config.get(`${name}.baseUrl`) === 'string');
}

function specFor(name: string, sources: ProviderSources): ProviderSpec {
  const spec = sources.known.find((p) => p.name === name);
  if (spec) return spec;
  if (customProviderNames(sources).includes(name)) return customProvider(name);
  const known = [...sources.known.map((p) => p.name), ...customProviderNames(sources)].join(', ');
  throw new UsageError(`Unknown provider "${name}"`, {
    hint: `Known providers: ${known}. Add your own with: tts config set ${name}.baseUrl http://host:port/v1`,
  });
}

const nonEmpty = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

function keyOf(spec: ProviderSpec, { env, config }: ProviderSources): { value: string; source: KeySource } | undefined {
  if (spec.apiKeyEnv === undefined) return undefined;
  const fromEnv = nonEmpty(env[spec.apiKeyEnv]);
  if (fromEnv !== undefined) return { value: fromEnv, source: { kind: 'env', variable: spec.apiKeyEnv } };
  const key = `${spec.name}.apiKey`;
  const fromConfig = nonEmpty(config.get(key));
  return fromConfig === undefined ? undefined : { value: fromConfig, source: { kind: 'config', key } };
}

const apiKeyOf = (spec: ProviderSpec, sources: ProviderSources): string | undefined => keyOf(spec, sources)?.value;

export const describeKeySource = (source: KeySource): string =>
  source.kind === 'env' ? `the environment variable ${source.variable}` : `${source.key} in the config file`;

/**
 * Which provider to use and how to reach it. With no `--provider`: the config's `provider`; else
 * openai when it has a key; else the one provider that has a key. Returns undefined when nothing at
 * all is configured, so the caller can fall back to the built-in voice.
 */
export function chooseProviderName(choice: ProviderChoice, sources: ProviderSources): string | undefined {
  if (choice.name !== undefined) return choice.name;
  const configured = nonEmpty(sources.config.get('provider'));
  if (configured !== undefined) return configured;
  if (apiKeyOf(openai, sources)) return 'openai';
  const candidates = [
    ...sources.known.filter((p) => !p.inProcess && apiKeyOf(p, sources)).map((p) => p.name),
    ...customProviderNames(sources),
  ];
  if (candidates.length === 1) return candidates[0];
  if (candidates.length > 1) {
    throw new ConfigError(`Several providers are configured (${candidates.join(', ')}); which one should speak?`, {
      hint: `Pass --provider ${candidates[0]}, or set a default: tts config set provider ${candidates[0]}`,
    });
  }
  return undefined;
}

/**
 * The provider when none is named, configured or keyed: a --base-url alone means an
 * OpenAI-compatible server; with nothing at all, the built-in voice, and `note` says in one line how
 * to get a natural one.
 */
export function defaultProvider(choice: ProviderChoice): { name: string; note: string | undefined } {
  if (choice.baseUrl !== undefined) return { name: openai.name, note: undefined };
  return { name: local.name, note: `using the built-in offline voice. For natural voices set ${openai.apiKeyEnv} or run: tts config set ${openai.name}.apiKey` };
}

/** The named provider with its base URL and key resolved, checked before any request. */
export function resolveProvider(choice: ProviderChoice & { name: string }, sources: ProviderSources, options: ResolveOptions = {}): ResolvedProvider {
  const { env, config } = sources;
  const spec = specFor(choice.name, sources);
  if (spec.inProcess) return { spec, connection: { name: spec.name, baseUrl: 'local:', apiKey: undefined, setting: () => undefined } };
  const baseUrl =
    nonEmpty(choice.baseUrl) ??
    spec.baseUrlEnv.map((variable) => nonEmpty(env[variable])).find((v) => v !== undefined) ??
    nonEmpty(config.get(`${spec.name}.baseUrl`)) ??
    spec.defaultBaseUrl;
  if (baseUrl === undefined) {
    throw new ConfigError(`${spec.description} has no base URL`, {
      hint: `Set ${spec.baseUrlEnv[0]}, pass --base-url, or run: tts config set ${spec.name}.baseUrl https://…`,
    });
  }
  const url = checkBaseUrl(baseUrl);
  const key = keyOf(spec, sources);
  if (spec.keyRequired && key === undefined && !options.allowMissingKey) {
    throw new ConfigError(`No API key for ${spec.description}`, {
      hint: `Set ${spec.apiKeyEnv ?? 'its key'}, or run: tts config set ${spec.name}.apiKey`,
    });
  }
  const connection: ProviderConnection = {
    name: spec.name,
    baseUrl,
    apiKey: key?.value,
    setting: (setting) => nonEmpty(config.get(`${spec.name}.${setting}`)),
  };
  const resolved = { spec, connection, keySource: key?.source };
  checkAuthHeaders(resolved, url);
  return resolved;
}

/**
 * What the provider will send to authenticate, checked before any request: a key holding a line
 * break or a curly quote is named with where it came from (never shown), and credentials in the
 * base URL, sent as Basic auth, must not clash with a key that is itself an Authorization header.
 */
function checkAuthHeaders({ spec, connection, keySource }: ResolvedProvider, url: URL): void {
  const headers = spec.authHeaders(connection);
  for (const [header, value] of Object.entries(headers)) {
    const problem = headerValueProblem(value);
    if (problem === undefined) continue;
    const { what, hint } = headerSource(spec, connection, keySource, { header, value });
    throw new ConfigError(`${what} holds ${problem}, which no HTTP header can carry`, { hint });
  }
  if (hasUrlCredentials(url) && hasAuthorization(headers)) {
    throw new ConfigError(`The base URL ${maskUrl(url.href)} carries a user name and password, but ${spec.description} already sends its key in the Authorization header`, {
      hint: `Take them out of the URL, and give the key with ${spec.apiKeyEnv ?? 'its key variable'} or tts config set ${spec.name}.apiKey.`,
    });
  }
}

/** Which setting put `value` in a header, and how to set it again; the value itself is never shown. */
function headerSource(spec: ProviderSpec, connection: ProviderConnection, keySource: KeySource | undefined, sent: { header: string; value: string }): { what: string; hint: string } {
  if (keySource && connection.apiKey !== undefined && sent.value.includes(connection.apiKey)) {
    return keySource.kind === 'env'
      ? { what: `The API key in ${describeKeySource(keySource)}`, hint: `Set ${keySource.variable} again to the key alone, as plain text (letters, digits, dashes).` }
      : { what: `The API key in ${describeKeySource(keySource)}`, hint: `Set it again as plain text: tts config set ${keySource.key}` };
  }
  const setting = Object.keys(spec.settings).find((s) => {
    const value = connection.setting(s);
    return value !== undefined && sent.value.includes(value);
  });
  if (setting) return { what: `${spec.name}.${setting} in the config file`, hint: `Set it again as plain text: tts config set ${spec.name}.${setting}` };
  return { what: `The ${sent.header} header`, hint: `Check ${spec.name}'s settings: tts config list` };
}

/** Everything about this provider that must never be printed: its key, URL credentials, secret settings. */
export function providerSecrets({ spec, connection }: ResolvedProvider): string[] {
  const secretSettings = Object.entries(spec.settings).filter(([, info]) => info.secret === true);
  const secrets = [connection.apiKey, ...secretSettings.map(([setting]) => connection.setting(setting))];
  if (!spec.inProcess) {
    const url = new URL(connection.baseUrl);
    // A user name alone is a token (https://<token>@host); beside a password it is just a name.
    secrets.push(url.password !== '' ? url.password : url.username);
  }
  return secrets.filter((s): s is string => s !== undefined && s !== '');
}

function checkBaseUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new UsageError(`Base URL "${maskUrl(baseUrl)}" is not a URL`, { hint: 'It looks like https://api.openai.com/v1' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`Base URL "${maskUrl(baseUrl)}" must start with http:// or https://`);
  }
  return url;
}
