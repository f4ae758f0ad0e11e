import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { Env } from './env.js';

/**
 * `$XDG_CONFIG_HOME/tts` and `$XDG_CACHE_HOME/tts` wherever those are set to absolute paths (the XDG
 * spec says a relative one is invalid and to be ignored), else the platform's own folders. Computed
 * from the environment we are handed, never from `process.env` directly, so a test can point them at
 * a temporary folder.
 */
export function configDir(env: Env, platform: NodeJS.Platform = process.platform): string {
  const xdg = xdgHome(env, 'XDG_CONFIG_HOME');
  if (xdg) return join(xdg, 'tts');
  const home = env['HOME'] || homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Preferences', 'tts');
  if (platform === 'win32') return join(env['APPDATA'] || join(home, 'AppData', 'Roaming'), 'tts', 'Config');
  return join(home, '.config', 'tts');
}

export function cacheDir(env: Env, platform: NodeJS.Platform = process.platform): string {
  const xdg = xdgHome(env, 'XDG_CACHE_HOME');
  if (xdg) return join(xdg, 'tts');
  const home = env['HOME'] || homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'tts');
  if (platform === 'win32') return join(env['LOCALAPPDATA'] || join(home, 'AppData', 'Local'), 'tts', 'Cache');
  return join(home, '.cache', 'tts');
}

const xdgHome = (env: Env, variable: string): string | undefined => {
  const value = env[variable];
  return value && isAbsolute(value) ? value : undefined;
};
