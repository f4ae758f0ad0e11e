import type { ConfigReader } from '../providers/registry.js';

export interface ConfigStore extends ConfigReader {
  readonly path: string;
  set(key: string, value: string | number): void;
  delete(key: string): void;
  /** Every stored value by its dotted key, e.g. { 'openai.apiKey': '…', voice: 'nova' }. */
  entries(): [string, unknown][];
}

/**
 * The config file, at `$XDG_CONFIG_HOME/tts/config.json` (the platform's config folder elsewhere),
 * readable by its owner only because it holds API keys. conf is loaded on demand: `tts --help` and
 * the like do not pay for it.
 */
export async function openConfig(dir: string): Promise<ConfigStore> {
  const { default: Conf } = await import('conf');
  const conf = new Conf<Record<string, unknown>>({
    projectName: 'tts',
    cwd: dir,
    configFileMode: 0o600,
  });
  return {
    path: conf.path,
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

function flatten(value: Record<string, unknown>, prefix = ''): [string, unknown][] {
  return Object.entries(value).flatMap(([key, v]): [string, unknown][] =>
    v && typeof v === 'object' && !Array.isArray(v) ? flatten(v as Record<string, unknown>, `${prefix}${key}.`) : [[`${prefix}${key}`, v]],
  );
}
