import { BILLING, fastApiError, kokoroVoiceList, looksLikeSpeechModel, openAiError, openAiModelList } from './compatible-shapes.js';
import { bearer, openAiCompatible } from './openai-body.js';
import { openAiPrice } from './openai-prices.js';
import type { ProviderSpec } from './provider-spec.js';

export const KOKORO_VOICES = [
  'af_alloy', 'af_aoede', 'af_bella', 'af_heart', 'af_jessica', 'af_kore', 'af_nicole', 'af_nova', 'af_river',
  'af_sarah', 'af_sky', 'am_adam', 'am_echo', 'am_eric', 'am_fenrir', 'am_liam', 'am_michael', 'am_onyx',
  'am_puck', 'bf_alice', 'bf_emma', 'bf_isabella', 'bf_lily', 'bm_daniel', 'bm_fable', 'bm_george', 'bm_lewis',
] as const;

/** Aqueduct, a self-hosted gateway (over LiteLLM) usually serving Kokoro: no default URL. */
export const aqueduct: ProviderSpec = {
  name: 'aqueduct',
  description: 'Aqueduct gateway (Kokoro)',
  apiKeyEnv: 'AQUEDUCT_API_KEY',
  baseUrlEnv: ['AQUEDUCT_BASE_URL'],
  keyRequired: true,
  formats: ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'],
  defaultModel: 'kokoro',
  defaultVoice: 'af_alloy',
  voices: KOKORO_VOICES,
  models: ['kokoro'],
  maxInputChars: 4096,
  authHeaders: bearer,
  secretHeaders: ['authorization'],
  // Its own errors are OpenAI's shape; Kokoro-FastAPI's behind it come through as FastAPI's.
  responses: { errorShapes: [openAiError, fastApiError], billing: BILLING, requestIdHeaders: ['x-request-id', 'x-litellm-call-id'] },
  discovery: {
    voices: { path: 'audio/voices', read: kokoroVoiceList },
    models: { path: 'models', read: openAiModelList(looksLikeSpeechModel) },
  },
  price: openAiPrice,
  settings: {},
  prepare: openAiCompatible,
};
