import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Env } from '../providers/registry.js';

/**
 * `$XDG_CONFIG_HOME/tts` and `$XDG_CACHE_HOME/tts` wherever those are set, else the platform's own
 * folders. Computed from the environment we are handed, never from `process.env` directly, so a test
 * can point them at a temporary folder.
 */
export function configDir(env: Env, platform: NodeJS.Platform = process.platform): string {
  if (env['XDG_CONFIG_HOME']) return join(env['XDG_CONFIG_HOME'], 'tts');
  const home = env['HOME'] || homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Preferences', 'tts');
  if (platform === 'win32') return join(env['APPDATA'] || join(home, 'AppData', 'Roaming'), 'tts', 'Config');
  return join(home, '.config', 'tts');
}

export function cacheDir(env: Env, platform: NodeJS.Platform = process.platform): string {
  if (env['XDG_CACHE_HOME']) return join(env['XDG_CACHE_HOME'], 'tts');
  const home = env['HOME'] || homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'tts');
  if (platform === 'win32') return join(env['LOCALAPPDATA'] || join(home, 'AppData', 'Local'), 'tts', 'Cache');
  return join(home, '.cache', 'tts');
}
