import type { Writable } from 'node:stream';
import { configFilePath } from '../config/config-file.js';
import { isSecretKey, validateConfigEntry } from '../config/config-keys.js';
import { openConfig } from '../config/config-store.js';
import { configDir } from '../config/paths.js';
import { maskSecret, maskUrl } from '../config/secrets.js';
import { UsageError } from '../errors.js';
import { escapeControls } from '../text/control-characters.js';
import type { CliIo } from './cli-io.js';
import { knownProviders } from './pick-provider.js';
import { readSecret } from './read-secret.js';

/** A value as printed: keys masked, URL credentials masked, control characters escaped. */
const shown = (key: string, value: unknown, io: CliIo): string => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return escapeControls(isSecretKey(key, knownProviders(io)) && typeof value === 'string' ? maskSecret(value) : maskUrl(text));
};

export async function configSet(key: string, value: string | undefined, io: CliIo): Promise<void> {
  // A key typed on the command line would stay in the shell's history: read it unseen instead.
  const raw = value ?? (isSecretKey(key, knownProviders(io)) ? await readSecret(`${key}: `, io.stdin, io.stderr) : undefined);
  if (raw === undefined) throw new UsageError(`tts config set ${key} needs a value`);
  const stored = validateConfigEntry(key, raw, knownProviders(io));
  const config = await openConfig(configDir(io.env), { repair: true });
  if (config.setAside) io.stderr.write(`tts: the config file was corrupt: it is kept as ${config.setAside}, and a new one is started.\n`);
  config.set(key, stored);
  io.stderr.write(`Set ${key} = ${shown(key, stored, io)}\n`);
}

export async function configGet(key: string, io: CliIo): Promise<void> {
  const config = await openConfig(configDir(io.env));
  const value = config.get(key);
  if (value === undefined) throw new UsageError(`${key} is not set`);
  writeLine(io.stdout, shown(key, value, io));
}

export async function configUnset(key: string, io: CliIo): Promise<void> {
  const config = await openConfig(configDir(io.env));
  if (config.get(key) === undefined) throw new UsageError(`${key} is not set`);
  config.delete(key);
  io.stderr.write(`Unset ${key}\n`);
}

export async function configList(io: CliIo): Promise<void> {
  const config = await openConfig(configDir(io.env));
  const entries = config.entries();
  if (entries.length === 0) io.stderr.write(`Nothing is configured yet (${config.path}).\n`);
  for (const [key, value] of entries) writeLine(io.stdout, `${escapeControls(key)} = ${shown(key, value, io)}`);
}

/** Where the file is, whether or not it exists or can be read. */
export async function configPath(io: CliIo): Promise<void> {
  writeLine(io.stdout, configFilePath(configDir(io.env)));
}

const writeLine = (stream: Writable, line: string): void => {
  stream.write(`${line}\n`);
};
