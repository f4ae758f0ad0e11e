import { OUTPUT_FORMATS, formatFromName } from '../audio/formats.js';
import { UsageError } from '../errors.js';
import { headerValueProblem } from '../http/header-value.js';
import { BUILT_IN_PROVIDERS, builtInProvider } from '../providers/registry.js';
import { isSecretKey } from './secrets.js';
import { resolve } from 'node:path';
import { parseCast } from '../script/parse-cast.js';

/** Defaults that a flag overrides, remembered with `tts config set <key> <value>`. */
export const DEFAULT_KEYS: Readonly<Record<string, string>> = {
  provider: 'the provider used when --provider is not given',
  model: 'the default --model',
  voice: 'the default --voice',
  format: `the default --format (${OUTPUT_FORMATS.join(', ')})`,
  speed: 'the default --speed (0.25 to 4)',
  cast: 'the default --cast for dialogues (NAME=voice,…)',
  lexicon: 'a --lexicon applied to every run (a file path)',
  rpm: 'the default --rpm: requests per minute at most',
};

/** --rpm and the rpm key: one request every ten minutes, to far more than any provider allows. */
export const RPM_RANGE = { min: 0.1, max: 100_000 } as const;

const CONNECTION_KEYS: Readonly<Record<string, string>> = {
  apiKey: 'the API key',
  baseUrl: "the provider's API root",
};

const PROVIDER_NAME = /^[a-z][a-z0-9_-]*$/;

/** Checks a key and a value before they are stored, and returns the value to store. */
export function validateConfigEntry(key: string, value: string): string | number {
  if (key in DEFAULT_KEYS) return validateDefault(key, value);
  const dot = key.indexOf('.');
  const section = dot === -1 ? key : key.slice(0, dot);
  const field = dot === -1 ? '' : key.slice(dot + 1);
  const builtIn = builtInProvider(section);
  const fields = { ...CONNECTION_KEYS, ...(builtIn?.settings ?? {}) };
  if (!PROVIDER_NAME.test(section) || !(field in fields)) {
    throw new UsageError(`Unknown config key "${key}"`, { hint: `Keys: ${describeKeys().join(', ')}` });
  }
  if (field === 'baseUrl') {
    try {
      const url = new URL(value);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    } catch {
      throw new UsageError(`${key} must be an http(s) URL, e.g. http://localhost:8880/v1`);
    }
  }
  if (value.trim() === '') throw new UsageError(`${key} cannot be empty; use tts config unset ${key}`);
  // A key travels in a header: one that cannot is refused now, not at the first request.
  const problem = isSecretKey(key) ? headerValueProblem(value.trim()) : undefined;
  if (problem) throw new UsageError(`${key} holds ${problem}, which no HTTP header can carry`, { hint: 'Give the key alone, as plain text.' });
  return value.trim();
}

function validateDefault(key: string, value: string): string | number {
  if (key === 'format') {
    const format = formatFromName(value);
    if (!format) throw new UsageError(`format must be one of ${OUTPUT_FORMATS.join(', ')} (or ogg, for opus), not "${value}"`);
    return format;
  }
  if (key === 'speed') {
    const speed = Number(value);
    if (!Number.isFinite(speed) || speed < 0.25 || speed > 4) throw new UsageError('speed must be a number from 0.25 to 4');
    return speed;
  }
  if (key === 'rpm') {
    const rpm = Number(value);
    if (value.trim() === '' || !Number.isFinite(rpm) || rpm < RPM_RANGE.min || rpm > RPM_RANGE.max) throw new UsageError(`rpm must be a number of requests per minute from ${RPM_RANGE.min} to ${RPM_RANGE.max}`);
    return rpm;
  }
  if (value.trim() === '') throw new UsageError(`${key} cannot be empty; use tts config unset ${key}`);
  if (key === 'cast') parseCast(value);
  // Runs start anywhere: a relative lexicon path would mean a different file in every folder.
  if (key === 'lexicon') return resolve(value.trim());
  return value.trim();
}

export function describeKeys(): string[] {
  const keys = Object.keys(DEFAULT_KEYS);
  for (const p of BUILT_IN_PROVIDERS) {
    for (const field of [...Object.keys(CONNECTION_KEYS), ...Object.keys(p.settings)]) keys.push(`${p.name}.${field}`);
  }
  keys.push('<name>.baseUrl', '<name>.apiKey');
  return keys;
}
