import { BILLING, looksLikeSpeechModel, openAiError, openAiModelList } from './compatible-shapes.js';
import { bearer, openAiCompatible } from './openai-body.js';
import { openAiPrice } from './openai-prices.js';
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
  secretHeaders: ['authorization'],
  // Upstream errors come through in OpenAI's shape, its message prefixed `litellm.`.
  responses: { errorShapes: [openAiError], billing: BILLING, requestIdHeaders: ['x-request-id', 'x-litellm-call-id'] },
  discovery: { models: { path: 'models', read: openAiModelList(looksLikeSpeechModel) } },
  price: openAiPrice,
  settings: {},
  prepare: openAiCompatible,
};
