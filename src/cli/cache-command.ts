import { cacheSize, clearCache } from '../cache/chunk-store.js';
import { cacheDir } from '../config/paths.js';
import type { CliIo } from './cli-io.js';

const mib = (bytes: number): string => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

export async function cacheClear(io: CliIo): Promise<void> {
  const { files, bytes } = await clearCache(cacheDir(io.env));
  io.stderr.write(`Removed ${files} cached chunk${files === 1 ? '' : 's'} (${mib(bytes)}).\n`);
}

export async function cacheInfo(io: CliIo): Promise<void> {
  const dir = cacheDir(io.env);
  const { files, bytes } = await cacheSize(dir);
  io.stdout.write(`${dir}\n${files} chunk${files === 1 ? '' : 's'}, ${mib(bytes)}\n`);
}
