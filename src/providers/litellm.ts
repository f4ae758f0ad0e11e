import { bearer, looksLikeSpeechModel, openAiCompatible } from './openai-body.js';
import { OPENAI_VOICES } from './openai.js';
import type { ProviderSpec } from './provider-spec.js';

/** A LiteLLM proxy: its base URL is the proxy root, and it serves `/audio/speech` there. */
export const litellm: ProviderSpec = {
  name: 'litellm',
  description: 'LiteLLM proxy',
  apiKeyEnv: 'LITELLM_API_KEY',
  baseUrlEnv: ['LITELLM_BASE_URL'],
  defaultBaseUrl: 'http://localhost:4000',
  // A proxy run without a master key takes requests without one.
  keyRequired: false,
  formats: ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'],
  defaultModel: 'tts',
  defaultVoice: 'alloy',
  voices: OPENAI_VOICES,
  models: [],
  maxInputChars: 4096,
  authHeaders: bearer,
  discovery: { modelsPath: 'models', isSpeechModel: looksLikeSpeechModel },
  settings: {},
  prepare: openAiCompatible,
};
