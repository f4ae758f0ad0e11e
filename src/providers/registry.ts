import { ConfigError, UsageError } from '../errors.js';
import { aqueduct } from './aqueduct.js';
import { azure } from './azure.js';
import { customProvider } from './custom.js';
import { litellm } from './litellm.js';
import { local } from './local.js';
import { openai } from './openai.js';
import { openrouter } from './openrouter.js';
import { portkey } from './portkey.js';
import type { ProviderConnection, ProviderSpec } from './provider-spec.js';

export const BUILT_IN_PROVIDERS: readonly ProviderSpec[] = [openai, openrouter, litellm, portkey, aqueduct, azure, local];

/** The slice of the config store that provider resolution reads. */
export interface ConfigReader {
  get(key: string): unknown;
  /** Top-level sections, e.g. ['openai', 'kokoro', 'provider']. */
  sections(): string[];
}

export type Env = Readonly<Record<string, string | undefined>>;

export interface ProviderChoice {
  /** `--provider`, when given. */
  name?: string | undefined;
  /** `--base-url`, when given. */
  baseUrl?: string | undefined;
}

export interface ResolvedProvider {
  spec: ProviderSpec;
  connection: ProviderConnection;
}

export function builtInProvider(name: string): ProviderSpec | undefined {
  return BUILT_IN_PROVIDERS.find((p) => p.name === name);
}

/** Config sections with a baseUrl that are not built-ins: each one is an OpenAI-compatible server. */
export function customProviderNames(config: ConfigReader): string[] {
  return config
    .sections()
    .filter((name) => !builtInProvider(name) && typeof config.get(`${name}.baseUrl`) === 'string');
}

function specFor(name: string, config: ConfigReader): ProviderSpec {
  const builtIn = builtInProvider(name);
  if (builtIn) return builtIn;
  if (customProviderNames(config).includes(name)) return customProvider(name);
  const known = [...BUILT_IN_PROVIDERS.map((p) => p.name), ...customProviderNames(config)].join(', ');
  throw new UsageError(`Unknown provider "${name}"`, {
    hint: `Known providers: ${known}. Add your own with: tts config set ${name}.baseUrl http://host:port/v1`,
  });
}

const nonEmpty = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

function apiKeyOf(spec: ProviderSpec, env: Env, config: ConfigReader): string | undefined {
  if (spec.apiKeyEnv === undefined) return undefined;
  return nonEmpty(env[spec.apiKeyEnv]) ?? nonEmpty(config.get(`${spec.name}.apiKey`));
}

/**
 * Which provider to use and how to reach it. With no `--provider`: the config's `provider`; else
 * openai when it has a key; else the one provider that has a key. Returns undefined when nothing at
 * all is configured, so the caller can fall back to the built-in voice.
 */
export function chooseProviderName(choice: ProviderChoice, env: Env, config: ConfigReader): string | undefined {
  if (choice.name !== undefined) return choice.name;
  const configured = nonEmpty(config.get('provider'));
  if (configured !== undefined) return configured;
  if (apiKeyOf(openai, env, config)) return 'openai';
  const candidates = [
    ...BUILT_IN_PROVIDERS.filter((p) => !p.inProcess && apiKeyOf(p, env, config)).map((p) => p.name),
    ...customProviderNames(config),
  ];
  if (candidates.length === 1) return candidates[0];
  if (candidates.length > 1) {
    throw new ConfigError(`Several providers are configured (${candidates.join(', ')}); which one should speak?`, {
      hint: `Pass --provider ${candidates[0]}, or set a default: tts config set provider ${candidates[0]}`,
    });
  }
  return undefined;
}

export function resolveProvider(name: string, choice: ProviderChoice, env: Env, config: ConfigReader): ResolvedProvider {
  const spec = specFor(name, config);
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
  checkBaseUrl(baseUrl);
  const apiKey = apiKeyOf(spec, env, config);
  if (spec.keyRequired && apiKey === undefined) {
    throw new ConfigError(`No API key for ${spec.description}`, {
      hint: `Set ${spec.apiKeyEnv ?? 'its key'}, or run: tts config set ${spec.name}.apiKey`,
    });
  }
  return {
    spec,
    connection: {
      name: spec.name,
      baseUrl,
      apiKey,
      setting: (key) => nonEmpty(config.get(`${spec.name}.${key}`)),
    },
  };
}

function checkBaseUrl(baseUrl: string): void {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new UsageError(`Base URL "${baseUrl}" is not a URL`, { hint: 'It looks like https://api.openai.com/v1' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`Base URL "${baseUrl}" must start with http:// or https://`);
  }
}
