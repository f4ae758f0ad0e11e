import { OPENAI_RESPONSES, openAiModelList } from './compatible-shapes.js';
import { bearer, jsonHeaders, openAiModelRules, speechBody } from './openai-body.js';
import { openAiPrice } from './openai-prices.js';
import { joinUrl, type ProviderSpec } from './provider-spec.js';

export const OPENAI_VOICES = [
  'alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'onyx', 'nova', 'sage', 'shimmer', 'verse', 'marin', 'cedar',
] as const;

export const openai: ProviderSpec = {
  name: 'openai',
  description: 'OpenAI',
  apiKeyEnv: 'OPENAI_API_KEY',
  baseUrlEnv: ['OPENAI_BASE_URL'],
  defaultBaseUrl: 'https://api.openai.com/v1',
  keyRequired: true,
  formats: ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'],
  defaultModel: 'gpt-4o-mini-tts',
  defaultVoice: 'alloy',
  voices: OPENAI_VOICES,
  models: ['gpt-4o-mini-tts', 'gpt-4o-mini-tts-2025-12-15', 'tts-1', 'tts-1-hd'],
  maxInputChars: 4096,
  authHeaders: bearer,
  secretHeaders: ['authorization'],
  responses: OPENAI_RESPONSES,
  discovery: { models: { path: 'models', read: openAiModelList((id) => /tts/i.test(id)) } },
  price: openAiPrice,
  settings: {},
  prepare(connection, settings) {
    const rules = openAiModelRules(settings);
    return {
      kind: 'http',
      warnings: rules.warnings,
      request: (input) => ({
        url: joinUrl(connection.baseUrl, 'audio/speech'),
        headers: jsonHeaders(bearer(connection)),
        body: JSON.stringify(speechBody(rules.settings, input, rules.fields)),
      }),
    };
  },
};
