import { readConfigFile } from '../config/config-file.js';
import { configDir } from '../config/paths.js';
import { listVoices } from '../discovery/discover.js';
import { withHttpClient } from '../discovery/get-json.js';
import { UsageError } from '../errors.js';
import type { Segment } from '../plan/segment.js';
import { verbatim } from '../text/spoken-text.js';
import type { Reporter } from '../ui/reporter.js';
import type { CliIo } from './cli-io.js';
import type { DiscoveryFlags } from './discovery-commands.js';
import { pickProvider } from './pick-provider.js';
import { speakDocument } from './speak-command.js';
import { parseSpeakOptions } from './speak-options.js';

export interface PreviewFlags extends DiscoveryFlags {
  /** `-v a,b,c`: only these voices. */
  voice?: string;
  output?: string;
  format?: string;
}

/** What each voice says after its name: short, with a question and a number, as speech has. */
export const PREVIEW_SENTENCE = 'This is how I sound. Shall I read your book? It has 12 chapters.';
/** The silence between one voice and the next, so each is heard apart. */
const BETWEEN_VOICES_MS = 600;

/**
 * `tts voices --preview`: one short sentence in each voice, announced by its name, played or written
 * with -o. The same text in the same voice is cached like any request, so a second preview is free.
 */
export async function previewVoices(flags: PreviewFlags, io: CliIo, reporter: Reporter): Promise<void> {
  const config = readConfigFile(configDir(io.env));
  const { provider, baseUrl, model, output, format, json } = flags;
  const speakFlags = Object.fromEntries(Object.entries({ provider, baseUrl, model, output, format, json }).filter(([, v]) => v !== undefined));
  const options = parseSpeakOptions(speakFlags, config, { stdoutIsTTY: Boolean(io.stdout.isTTY) });
  const voices = flags.voice !== undefined ? voiceList(flags.voice) : await knownVoices(flags, io, reporter);
  const segments = voices.flatMap((voice, i): Segment[] => [
    ...(i > 0 ? [{ kind: 'pause', ms: BETWEEN_VOICES_MS } as const] : []),
    { kind: 'speech', text: verbatim(`${voice.replace(/[_+]/g, ' ')}. ${PREVIEW_SENTENCE}`), style: { voice } },
  ]);
  await speakDocument({ document: { segments }, warnings: [], lexiconChanges: [] }, options, { io, reporter, config });
}

function voiceList(spec: string): string[] {
  const voices = spec.split(',').map((v) => v.trim()).filter(Boolean);
  if (voices.length === 0) throw new UsageError('-v needs at least one voice, e.g. -v alloy,nova');
  return voices;
}

/** Every voice the provider has: its own list where it can say, else the one tts knows. */
async function knownVoices(flags: PreviewFlags, io: CliIo, reporter: Reporter): Promise<string[]> {
  const provider = pickProvider(flags, io, reporter);
  const model = flags.model ?? provider.spec.defaultModel;
  const listing = await withHttpClient((http) => listVoices({ provider, http, signal: io.signal }, model));
  if (listing.note) reporter.warn(listing.note);
  if (listing.items.length === 0) throw new UsageError(`${provider.spec.description} lists no voices`, { hint: 'Name them: tts voices --preview -v a,b' });
  return listing.items.map((v) => v.id);
}
