import type { Writable } from 'node:stream';
import { openConfig } from '../config/config-store.js';
import { isSecretKey, maskSecret, validateConfigEntry } from '../config/config-keys.js';
import { configDir } from '../config/paths.js';
import { UsageError } from '../errors.js';
import type { CliIo } from './cli-io.js';
import { readSecret } from './read-secret.js';

const shown = (key: string, value: unknown): string => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return isSecretKey(key) && typeof value === 'string' ? maskSecret(value) : text;
};

export async function configSet(key: string, value: string | undefined, io: CliIo): Promise<void> {
  // A key typed on the command line would stay in the shell's history: read it unseen instead.
  const raw = value ?? (isSecretKey(key) ? await readSecret(`${key}: `, io.stdin, io.stderr) : undefined);
  if (raw === undefined) throw new UsageError(`tts config set ${key} needs a value`);
  const stored = validateConfigEntry(key, raw);
  const config = await openConfig(configDir(io.env));
  config.set(key, stored);
  io.stderr.write(`Set ${key} = ${shown(key, stored)}\n`);
}

export async function configGet(key: string, io: CliIo): Promise<void> {
  const config = await openConfig(configDir(io.env));
  const value = config.get(key);
  if (value === undefined) throw new UsageError(`${key} is not set`);
  writeLine(io.stdout, shown(key, value));
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
  for (const [key, value] of entries) writeLine(io.stdout, `${key} = ${shown(key, value)}`);
}

export async function configPath(io: CliIo): Promise<void> {
  const config = await openConfig(configDir(io.env));
  writeLine(io.stdout, config.path);
}

const writeLine = (stream: Writable, line: string): void => {
  stream.write(`${line}\n`);
};

