import type { Writable } from 'node:stream';
import { listModels, listVoices, type Listing, type ModelInfo, type VoiceInfo } from '../discovery/discover.js';
import type { ResolvedProvider } from '../providers/registry.js';
import { withHttpClient } from '../discovery/get-json.js';
import type { Reporter } from '../ui/reporter.js';
import type { CliIo } from './cli-io.js';
import { pickProvider, type ProviderFlags } from './pick-provider.js';

export interface DiscoveryFlags extends ProviderFlags {
  model?: string;
  json?: boolean;
}

/** Left-aligned columns: the first is the id a flag takes. A provider's names are printed safely. */
function table(out: Writable, rows: string[][], reporter: Reporter): void {
  const safe = rows.map((row) => row.map((cell) => reporter.printable(cell)));
  const widths = safe.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  for (const row of safe) out.write(`${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()}\n`);
}

/**
 * A provider that needs a key and has none is not asked: what tts knows of it is shown, and said to
 * be that (OpenAI's voices, for one, are a fixed list anyway).
 */
function withoutKey<T extends { id: string }>(provider: ResolvedProvider, items: readonly string[], what: string): Listing<T> | undefined {
  const { spec, connection } = provider;
  if (!spec.keyRequired || connection.apiKey !== undefined) return undefined;
  const note = `no API key for ${spec.description}, so it was not asked: these are the ${what} tts knows (set ${spec.apiKeyEnv ?? 'its key'} for its own list)`;
  // Every field but the id is optional in a listing's items.
  return { items: items.map((id) => ({ id }) as T), source: 'built-in', note };
}

function noteOf<T>(listing: Listing<T>, reporter: Reporter): void {
  if (listing.note) reporter.warn(listing.note);
}

const json = (value: unknown, reporter: Reporter): string => `${reporter.printableJson(JSON.stringify(value, null, 2))}\n`;

/** `tts voices`: what --voice takes with this provider. */
export async function voicesCommand(flags: DiscoveryFlags, io: CliIo, reporter: Reporter): Promise<void> {
  const provider = pickProvider(flags, io, reporter, { allowMissingKey: true });
  const model = flags.model ?? provider.spec.defaultModel;
  const listing = withoutKey<VoiceInfo>(provider, provider.spec.voices, 'voices') ?? (await withHttpClient((http) => listVoices({ provider, http, signal: io.signal }, model)));
  noteOf(listing, reporter);
  if (flags.json) {
    io.stdout.write(json({ provider: provider.spec.name, model, source: listing.source, voices: listing.items }, reporter));
    return;
  }
  table(io.stdout, listing.items.map((v) => [v.id, v.name ?? '', v.gender ?? v.language ?? '']), reporter);
}

/** `tts models`: what --model takes with this provider. */
export async function modelsCommand(flags: DiscoveryFlags, io: CliIo, reporter: Reporter): Promise<void> {
  const provider = pickProvider(flags, io, reporter, { allowMissingKey: true });
  const listing = withoutKey<ModelInfo>(provider, provider.spec.models, 'models') ?? (await withHttpClient((http) => listModels({ provider, http, signal: io.signal })));
  noteOf(listing, reporter);
  if (flags.json) {
    io.stdout.write(json({ provider: provider.spec.name, source: listing.source, models: listing.items }, reporter));
    return;
  }
  if (listing.items.length === 0) reporter.line(`tts: ${provider.spec.description} lists no speech models; its own model names work with --model.`);
  table(io.stdout, listing.items.map((m) => [m.id, m.name ?? '', m.perCharacterUsd !== undefined ? `$${(m.perCharacterUsd * 1e6).toFixed(2)} per million characters` : '']), reporter);
}
