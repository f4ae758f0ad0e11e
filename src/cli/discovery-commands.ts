import type { Writable } from 'node:stream';
import { listModels, listVoices, type Listing } from '../discovery/discover.js';
import { withAgent } from '../discovery/get-json.js';
import type { Reporter } from '../ui/reporter.js';
import type { CliIo } from './cli-io.js';
import { pickProvider, type ProviderFlags } from './pick-provider.js';

export interface DiscoveryFlags extends ProviderFlags {
  model?: string;
  json?: boolean;
}

/** Left-aligned columns: the first is the id a flag takes. */
function table(out: Writable, rows: string[][]): void {
  const widths = rows.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  for (const row of rows) out.write(`${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()}\n`);
}

function noteOf<T>(listing: Listing<T>, reporter: Reporter): void {
  if (listing.note) reporter.warn(listing.note);
}

/** `tts voices`: what --voice takes with this provider. */
export async function voicesCommand(flags: DiscoveryFlags, io: CliIo, reporter: Reporter): Promise<void> {
  const provider = pickProvider(flags, io, reporter);
  const model = flags.model ?? provider.spec.defaultModel;
  const listing = await withAgent((dispatcher) => listVoices({ provider, dispatcher, signal: io.signal }, model));
  noteOf(listing, reporter);
  if (flags.json) {
    io.stdout.write(`${JSON.stringify({ provider: provider.spec.name, model, source: listing.source, voices: listing.items }, null, 2)}\n`);
    return;
  }
  table(io.stdout, listing.items.map((v) => [v.id, v.name ?? '', v.gender ?? v.language ?? '']));
}

/** `tts models`: what --model takes with this provider. */
export async function modelsCommand(flags: DiscoveryFlags, io: CliIo, reporter: Reporter): Promise<void> {
  const provider = pickProvider(flags, io, reporter);
  const listing = await withAgent((dispatcher) => listModels({ provider, dispatcher, signal: io.signal }));
  noteOf(listing, reporter);
  if (flags.json) {
    io.stdout.write(`${JSON.stringify({ provider: provider.spec.name, source: listing.source, models: listing.items }, null, 2)}\n`);
    return;
  }
  if (listing.items.length === 0) reporter.line(`tts: ${provider.spec.description} lists no speech models; its own model names work with --model.`);
  table(io.stdout, listing.items.map((m) => [m.id, m.name ?? '', m.perCharacterUsd !== undefined ? `$${(m.perCharacterUsd * 1e6).toFixed(2)} per million characters` : '']));
}
