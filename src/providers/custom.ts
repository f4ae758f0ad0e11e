import { BILLING, fastApiError, kokoroVoiceList, openAiError, openAiModelList, topLevelError } from './compatible-shapes.js';
import { bearer, openAiCompatible } from './openai-body.js';
import type { ProviderSpec } from './provider-spec.js';

/**
 * Any other OpenAI-compatible server named in the config by `<name>.baseUrl` (Kokoro-FastAPI,
 * speaches, vLLM-omni…). Its key is optional: most of these run without one.
 */
export function customProvider(name: string): ProviderSpec {
  // kokoro-fast → KOKORO_FAST_API_KEY, KOKORO_FAST_BASE_URL
  const envPrefix = name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  return {
    name,
    description: `OpenAI-compatible server "${name}"`,
    apiKeyEnv: `${envPrefix}_API_KEY`,
    baseUrlEnv: [`${envPrefix}_BASE_URL`],
    keyRequired: false,
    formats: ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'],
    defaultModel: 'tts-1',
    defaultVoice: 'alloy',
    voices: [],
    models: [],
    maxInputChars: 4096,
    authHeaders: bearer,
    secretHeaders: ['authorization'],
    // Most of these are FastAPI apps (Kokoro-FastAPI, speaches); any shape is read as best it can be.
    responses: { errorShapes: [openAiError, fastApiError, topLevelError], billing: BILLING, requestIdHeaders: ['x-request-id', 'request-id'] },
    // Kokoro-FastAPI and its kind list voices at /audio/voices; any model list is theirs to show.
    discovery: { voices: { path: 'audio/voices', read: kokoroVoiceList }, models: { path: 'models', read: openAiModelList() } },
    // Self-hosted: no price to estimate.
    settings: {},
    prepare: openAiCompatible,
  };
}
