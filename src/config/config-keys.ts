import { OUTPUT_FORMATS, formatFromName } from '../audio/formats.js';
import { UsageError } from '../errors.js';
import { headerValueProblem } from '../http/header-value.js';
import { resolve } from 'node:path';
import { parseCast } from '../script/parse-cast.js';

/** A config key of a provider's own, beyond apiKey and baseUrl (portkey.virtualKey, azure.apiVersion…). */
export interface SettingInfo {
  /** What it is for, as the list of keys shows it. */
  about: string;
  /** Never printed whole, asked for unseen, and hidden from every printed word. */
  secret?: boolean;
}

/** What the config knows of a provider: its section's name and its own settings. */
export interface ProviderSection {
  name: string;
  settings: Readonly<Record<string, SettingInfo>>;
}

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

/** Every provider's section has these, custom ones included. */
const CONNECTION_KEYS: Readonly<Record<string, SettingInfo>> = {
  apiKey: { about: 'the API key', secret: true },
  baseUrl: { about: "the provider's API root" },
};

const PROVIDER_NAME = /^[a-z][a-z0-9_-]*$/;

const splitKey = (key: string): { section: string; field: string } => {
  const dot = key.indexOf('.');
  return dot === -1 ? { section: key, field: '' } : { section: key.slice(0, dot), field: key.slice(dot + 1) };
};

/** The setting a `<section>.<field>` key names: a connection key of any section, or its provider's own. */
function settingOf(key: string, providers: readonly ProviderSection[]): SettingInfo | undefined {
  const { section, field } = splitKey(key);
  const own = providers.find((p) => p.name === section)?.settings ?? {};
  return Object.hasOwn(CONNECTION_KEYS, field) ? CONNECTION_KEYS[field] : Object.hasOwn(own, field) ? own[field] : undefined;
}

/** Whether a config key holds a secret: any provider's apiKey, or a setting its provider marks secret. */
export const isSecretKey = (key: string, providers: readonly ProviderSection[]): boolean => settingOf(key, providers)?.secret === true;

/** Checks a key and a value before they are stored, and returns the value to store. */
export function validateConfigEntry(key: string, value: string, providers: readonly ProviderSection[]): string | number {
  if (key in DEFAULT_KEYS) return validateDefault(key, value);
  const { section, field } = splitKey(key);
  if (!PROVIDER_NAME.test(section) || settingOf(key, providers) === undefined) {
    throw new UsageError(`Unknown config key "${key}"`, { hint: `Keys: ${describeKeys(providers).join(', ')}` });
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
  const problem = isSecretKey(key, providers) ? headerValueProblem(value.trim()) : undefined;
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

export function describeKeys(providers: readonly ProviderSection[]): string[] {
  const keys = Object.keys(DEFAULT_KEYS);
  for (const p of providers) {
    for (const field of [...Object.keys(CONNECTION_KEYS), ...Object.keys(p.settings)]) keys.push(`${p.name}.${field}`);
  }
  keys.push('<name>.baseUrl', '<name>.apiKey');
  return keys;
}
