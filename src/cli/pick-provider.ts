import { readConfigFile } from '../config/config-file.js';
import { configDir } from '../config/paths.js';
import { chooseProviderName, resolveProvider, type ConfigReader, type ResolvedProvider } from '../providers/registry.js';
import type { Reporter } from '../ui/reporter.js';
import type { CliIo } from './cli-io.js';

export interface ProviderFlags {
  provider?: string | undefined;
  baseUrl?: string | undefined;
}

/**
 * The provider a command works with. With no provider named and nothing configured, a fresh install
 * still speaks with the built-in voice, and says in one line how to do better; a --base-url says a
 * server was meant, which then needs its key like any other.
 */
export function pickProvider(flags: ProviderFlags, io: CliIo, reporter: Reporter, config: ConfigReader = readConfigFile(configDir(io.env))): ResolvedProvider {
  let name = chooseProviderName({ name: flags.provider, baseUrl: flags.baseUrl }, io.env, config);
  if (name === undefined) {
    name = flags.baseUrl === undefined ? 'local' : 'openai';
    if (name === 'local') reporter.info('tts: using the built-in offline voice. For natural voices set OPENAI_API_KEY or run: tts config set openai.apiKey');
  }
  return resolveProvider(name, { name, baseUrl: flags.baseUrl }, io.env, config);
}
