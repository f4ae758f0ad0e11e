import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';

export const CONFIG_FILE = 'config.json';

/** The slice of the config that a run reads: provider resolution and the defaults. */
export interface ConfigReader {
  get(key: string): unknown;
  /** Top-level sections, e.g. ['openai', 'kokoro', 'provider']. */
  sections(): string[];
}

export const configFilePath = (dir: string): string => join(dir, CONFIG_FILE);

/**
 * Reads the config file for a run. Reading needs no more than JSON.parse, so a run does not load
 * conf (which `tts config` uses to write): that keeps a run's start-up ~60 ms shorter.
 */
export function readConfigFile(dir: string): ConfigReader {
  const data = parseConfigFile(configFilePath(dir));
  return {
    get(key) {
      let value: unknown = data;
      for (const part of key.split('.')) {
        if (!value || typeof value !== 'object') return undefined;
        value = (value as Record<string, unknown>)[part];
      }
      return value;
    },
    sections: () => Object.keys(data),
  };
}

/** The file's settings; none when it does not exist; a ConfigError saying how to fix it when it is broken. */
export function parseConfigFile(path: string): Record<string, unknown> {
  const read = readConfigData(path);
  if ('corrupt' in read) throw corruptConfigError(path, read.corrupt);
  return read.data;
}

/** The file's settings, or why it is corrupt; an unreadable file is a ConfigError. */
export function readConfigData(path: string): { data: Record<string, unknown> } | { corrupt: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { data: {} };
    throw new ConfigError(`Cannot read the config file ${path}: ${(error as Error).message}`, { hint: 'Check its permissions (it should be yours, mode 600).' });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { corrupt: (error as Error).message };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { corrupt: 'not a JSON object' };
  return { data: parsed as Record<string, unknown> };
}

export const corruptConfigError = (path: string, why: string): ConfigError =>
  new ConfigError(`The config file ${path} is corrupt (${why})`, {
    hint: 'Fix it in an editor, or run tts config set <key> <value>: the broken file is kept beside it as config.json.corrupt-<time>, and a new one is started.',
  });

/**
 * Whether others than its owner may read the config file: one holding an API key should be mode
 * 600, as tts writes it. Windows has no such mode bits to go by.
 */
export function readableByOthers(dir: string, platform: NodeJS.Platform = process.platform): boolean {
  if (platform === 'win32') return false;
  try {
    return (statSync(configFilePath(dir)).mode & 0o044) !== 0;
  } catch {
    return false;
  }
}
