import type { Dispatcher } from 'undici';
import { ProviderError } from '../errors.js';
import type { ResolvedProvider } from '../providers/registry.js';
import { getJson } from './get-json.js';

export interface VoiceInfo {
  id: string;
  name?: string | undefined;
  language?: string | undefined;
  gender?: string | undefined;
}

export interface ModelInfo {
  id: string;
  name?: string | undefined;
  /** US dollars per input character, where the provider says. */
  perCharacterUsd?: number | undefined;
  voices?: string[] | undefined;
}

/** A list, and whether it came from the provider itself or from what tts knows. */
export interface Listing<T> {
  items: T[];
  source: 'provider' | 'built-in';
  /** Why the provider was not asked, or could not answer. */
  note?: string | undefined;
}

interface Context {
  provider: ResolvedProvider;
  dispatcher: Dispatcher;
  signal: AbortSignal;
}

const record = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The provider's speech models: live where it can say, else the built-in list. */
export async function listModels({ provider, dispatcher, signal }: Context): Promise<Listing<ModelInfo>> {
  const { spec } = provider;
  const builtIn = (note?: string): Listing<ModelInfo> => ({ items: spec.models.map((id) => ({ id })), source: 'built-in', note });
  const path = spec.discovery?.modelsPath;
  if (!path) return builtIn();
  try {
    const body = record(await getJson(provider, path, dispatcher, signal));
    const data = Array.isArray(body['data']) ? body['data'] : Array.isArray(body['models']) ? body['models'] : [];
    const items: ModelInfo[] = data
      .map((m): ModelInfo => {
        const model = record(m);
        const price = Number(text(record(model['pricing'])['prompt']) ?? NaN);
        const voices = Array.isArray(model['supported_voices']) ? model['supported_voices'].map(String) : undefined;
        return { id: text(model['id']) ?? text(model['model_name']) ?? '', name: text(model['name']), perCharacterUsd: Number.isFinite(price) ? price : undefined, voices };
      })
      .filter((m) => m.id !== '' && (spec.discovery?.isSpeechModel?.(m.id) ?? true));
    return { items, source: 'provider' };
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    return builtIn(`could not ask ${spec.description} (${error.message}); showing the models tts knows`);
  }
}

/** The provider's voices: live where it can say (Kokoro's /audio/voices, OpenRouter's models), else built in. */
export async function listVoices(context: Context, model: string): Promise<Listing<VoiceInfo>> {
  const { provider, dispatcher, signal } = context;
  const { spec } = provider;
  const builtIn = (note?: string): Listing<VoiceInfo> => ({ items: spec.voices.map((id) => ({ id })), source: 'built-in', note });
  if (spec.inProcess) {
    const { espeakVoices } = await import('../local-voice/synthesize.js');
    const { voices } = await espeakVoices(signal);
    return { items: voices.map((v) => ({ id: v.language, name: v.name.replace(/_/g, ' '), gender: v.gender })), source: 'provider' };
  }
  try {
    if (spec.discovery?.voicesPath) {
      const body = await getJson(provider, spec.discovery.voicesPath, dispatcher, signal);
      const list = Array.isArray(body) ? body : (record(body)['voices'] as unknown);
      if (Array.isArray(list)) {
        const items = list
          .map((v): VoiceInfo => (typeof v === 'string' ? { id: v } : { id: text(record(v)['id']) ?? text(record(v)['name']) ?? '', name: text(record(v)['name']), language: text(record(v)['language']) }))
          .filter((v) => v.id !== '');
        return { items, source: 'provider' };
      }
    }
    if (spec.name === 'openrouter') {
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
