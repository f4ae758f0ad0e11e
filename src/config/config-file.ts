import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import type { ConfigReader } from '../providers/registry.js';

export const CONFIG_FILE = 'config.json';

/**
 * Reads the config file for a run. Reading needs no more than JSON.parse, so a run does not load
 * conf (which `tts config` uses to write): that keeps a run's start-up ~60 ms shorter.
 */
export function readConfigFile(dir: string): ConfigReader {
  const path = join(dir, CONFIG_FILE);
  let data: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new SyntaxError('not a JSON object');
    data = parsed as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError(`Cannot read the config file ${path}: ${(error as Error).message}`, {
        hint: 'Fix or delete it; tts config set … writes a new one.',
      });
    }
  }
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
