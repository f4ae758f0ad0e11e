import { renameSync } from 'node:fs';
import { CONFIG_FILE, configFilePath, corruptConfigError, readConfigData, type ConfigReader } from './config-file.js';

export interface ConfigStore extends ConfigReader {
  readonly path: string;
  set(key: string, value: string | number): void;
  delete(key: string): void;
  /** Every stored value by its dotted key, e.g. { 'openai.apiKey': '…', voice: 'nova' }. */
  entries(): [string, unknown][];
  /** Where a corrupt file was set aside when it was opened to be repaired. */
  readonly setAside?: string | undefined;
}

export interface OpenConfigOptions {
  /**
   * `config set`: a file that is not a JSON object is kept beside it as config.json.corrupt-<time>
   * and a new one is started, as the error for a corrupt file promises. Without it, a corrupt file
   * is a ConfigError that says how to fix it.
   */
  repair?: boolean;
}

/**
 * The config file, at `$XDG_CONFIG_HOME/tts/config.json` (the platform's config folder elsewhere),
 * readable by its owner only because it holds API keys. conf is loaded on demand: `tts --help` and
 * the like do not pay for it.
 */
export async function openConfig(dir: string, options: OpenConfigOptions = {}): Promise<ConfigStore> {
  // conf would throw a bare SyntaxError at a broken file: it is checked first, with our own words.
  const setAside = checkFile(configFilePath(dir), options);
  const Conf = await loadConf();
  const conf = new Conf<Record<string, unknown>>({
    projectName: 'tts',
    cwd: dir,
    configName: CONFIG_FILE.replace(/\.json$/, ''),
    configFileMode: 0o600,
  });
  return {
    path: conf.path,
    setAside,
    get: (key) => conf.get(key),
    sections: () => Object.keys(conf.store),
    set: (key, value) => conf.set(key, value),
    delete: (key) => {
      conf.delete(key);
      const section = key.includes('.') ? key.slice(0, key.indexOf('.')) : undefined;
      const rest = section === undefined ? undefined : conf.get(section);
      if (section !== undefined && rest && typeof rest === 'object' && Object.keys(rest).length === 0) conf.delete(section);
    },
    entries: () => flatten(conf.store),
  };
}

function checkFile(path: string, options: OpenConfigOptions): string | undefined {
  const read = readConfigData(path);
  if (!('corrupt' in read)) return undefined;
  if (!options.repair) throw corruptConfigError(path, read.corrupt);
  const aside = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  renameSync(path, aside);
  return aside;
}

function flatten(value: Record<string, unknown>, prefix = ''): [string, unknown][] {
  return Object.entries(value).flatMap(([key, v]): [string, unknown][] =>
    v && typeof v === 'object' && !Array.isArray(v) ? flatten(v as Record<string, unknown>, `${prefix}${key}.`) : [[`${prefix}${key}`, v]],
  );
}

/**
 * conf writes through `atomically`, whose `when-exit` hooks SIGINT and SIGTERM and re-raises them, so
 * a Ctrl-C would kill the process before it aborts its requests and removes its temporary files.
 * Our config writes are synchronous, so that hook protects nothing of ours: it is removed on load.
 */
async function loadConf(): Promise<typeof import('conf').default> {
  const signals = (): string[] => process.eventNames().filter((e): e is string => typeof e === 'string' && e.startsWith('SIG'));
  const before = new Map(signals().map((s) => [s, process.listeners(s as NodeJS.Signals)]));
  const { default: Conf } = await import('conf');
  for (const signal of signals()) {
    const ours = before.get(signal) ?? [];
    for (const listener of process.listeners(signal as NodeJS.Signals)) {
      if (!ours.includes(listener)) process.off(signal, listener);
    }
  }
  return Conf;
}
