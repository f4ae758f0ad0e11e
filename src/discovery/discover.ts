import { ProviderError } from '../errors.js';
import type { HttpClient } from '../http/http-client.js';
import type { ModelInfo, VoiceInfo } from '../providers/provider-spec.js';
import type { ResolvedProvider } from '../providers/registry.js';
import { getJson } from './get-json.js';

export type { ModelInfo, VoiceInfo } from '../providers/provider-spec.js';

/** A list, and whether it came from the provider itself or from what tts knows. */
export interface Listing<T> {
  items: T[];
  source: 'provider' | 'built-in';
  /** Why the provider was not asked, or could not answer. */
  note?: string | undefined;
}

export interface DiscoveryContext {
  provider: ResolvedProvider;
  http: HttpClient;
  signal: AbortSignal;
}

/** The provider's speech models: live where it can say, else the built-in list. */
export async function listModels({ provider, http, signal }: DiscoveryContext): Promise<Listing<ModelInfo>> {
  const { spec } = provider;
  const builtIn = (note?: string): Listing<ModelInfo> => ({ items: spec.models.map((id) => ({ id })), source: 'built-in', note });
  const models = spec.discovery?.models;
  if (!models) return builtIn();
  try {
    return { items: models.read(await getJson({ provider, path: models.path, http, signal })), source: 'provider' };
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    return builtIn(`could not ask ${spec.description} (${error.message}); showing the models tts knows`);
  }
}

/** The provider's voices: live where it can say (a voice list, or each model's in the model list), else built in. */
export async function listVoices(context: DiscoveryContext, model: string): Promise<Listing<VoiceInfo>> {
  const { provider, http, signal } = context;
  const { spec } = provider;
  const discovery = spec.discovery ?? {};
  const builtIn = (note?: string): Listing<VoiceInfo> => ({ items: spec.voices.map((id) => ({ id })), source: 'built-in', note });
  if (discovery.localVoices) return { items: await discovery.localVoices(signal), source: 'provider' };
  try {
    if (discovery.voices) {
      const items = discovery.voices.read(await getJson({ provider, path: discovery.voices.path, http, signal }));
      if (items) return { items, source: 'provider' };
    }
    if (discovery.voicesFromModels) {
      const models = await listModels(context);
      const match = models.items.find((m) => m.id === model);
      if (match?.voices) return { items: match.voices.map((id) => ({ id })), source: 'provider' };
      return builtIn(`${spec.description} did not list voices for ${model}; showing the voices tts knows`);
    }
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    return builtIn(`could not ask ${spec.description} (${error.message}); showing the voices tts knows`);
  }
  return builtIn();
}
