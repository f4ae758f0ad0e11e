import { configFilePath, readableByOthers, readConfigFile } from '../config/config-file.js';
import { configDir } from '../config/paths.js';
import { UsageError } from '../errors.js';
import type { ConfigReader } from '../config/config-file.js';
import { BUILT_IN_PROVIDERS, chooseProviderName, defaultProvider, providerSecrets, resolveProvider, type ProviderSources, type ResolvedProvider } from '../providers/registry.js';
import type { ProviderSpec } from '../providers/provider-spec.js';
import type { Reporter } from '../ui/reporter.js';
import type { CliIo } from './cli-io.js';

export interface ProviderFlags {
  provider?: string | undefined;
  baseUrl?: string | undefined;
}

export interface PickOptions {
  /** The config as already read; read here when not given. */
  config?: ConfigReader;
  /** Listing voices or models: a provider without its key still shows what tts knows of it. */
  allowMissingKey?: boolean;
}

/** The providers this run knows by name: the built-ins, or a test's own list. */
export const knownProviders = (io: CliIo): readonly ProviderSpec[] => io.providers ?? BUILT_IN_PROVIDERS;

/**
 * The provider a command works with. With no provider named and nothing configured, a fresh install
 * still speaks with the built-in voice, and says in one line how to do better; a --base-url says a
 * server was meant, which then needs its key like any other. Its secrets are hidden from every
 * printed word from here on.
 */
export function pickProvider(flags: ProviderFlags, io: CliIo, reporter: Reporter, options: PickOptions = {}): ResolvedProvider {
  if (flags.baseUrl !== undefined && flags.baseUrl.trim() === '') {
    throw new UsageError('--base-url cannot be empty', { hint: "Give the provider's API root, e.g. --base-url http://localhost:8880/v1, or leave the flag out." });
  }
  const sources: ProviderSources = { env: io.env, config: options.config ?? readConfigFile(configDir(io.env)), known: knownProviders(io) };
  let name = chooseProviderName({ name: flags.provider, baseUrl: flags.baseUrl }, sources);
  if (name === undefined) {
    const fallback = defaultProvider({ baseUrl: flags.baseUrl });
    if (fallback.note !== undefined) reporter.info(`tts: ${fallback.note}`);
    name = fallback.name;
  }
  const resolved = resolveProvider({ name, baseUrl: flags.baseUrl }, sources, { allowMissingKey: options.allowMissingKey ?? false });
  reporter.redactor.add(...providerSecrets(resolved));
  if (resolved.keySource?.kind === 'config' && readableByOthers(configDir(io.env))) {
    const path = configFilePath(configDir(io.env));
    reporter.warn(`the config file ${path} holds an API key, and others can read it: chmod 600 ${path}`);
  }
  return resolved;
}
