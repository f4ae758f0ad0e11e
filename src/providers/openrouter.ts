import { bearer, jsonHeaders, speechBody } from './openai-body.js';
import { OPENAI_VOICES } from './openai.js';
import { joinUrl, type ProviderSpec } from './provider-spec.js';
import { UsageError } from '../errors.js';

export const openrouter: ProviderSpec = {
  name: 'openrouter',
  description: 'OpenRouter',
  apiKeyEnv: 'OPENROUTER_API_KEY',
  baseUrlEnv: ['OPENROUTER_BASE_URL'],
  defaultBaseUrl: 'https://openrouter.ai/api/v1',
  keyRequired: true,
  // OpenRouter sends only these two (pcm when none is named, so response_format is always sent);
  // the rest are made here from pcm.
  formats: ['mp3', 'pcm'],
  defaultModel: 'openai/gpt-4o-mini-tts-2025-12-15',
  defaultVoice: 'alloy',
  voices: OPENAI_VOICES,
  models: ['openai/gpt-4o-mini-tts-2025-12-15', 'mistralai/voxtral-mini-tts-2603', 'microsoft/mai-voice-2'],
  maxInputChars: 4096,
  authHeaders: bearer,
  // Its speech models, with their voices and prices, come from the models API.
  discovery: { modelsPath: 'models?output_modalities=speech' },
  settings: {
    options: 'JSON merged into provider.options, keyed by provider slug, e.g. {"azure":{"style":"cheerful"}}',
  },
  prepare(connection, settings) {
    const warnings: string[] = [];
    if (settings.streamFormat === 'sse') warnings.push('OpenRouter does not stream SSE; asking for plain audio instead.');
    const options = providerOptions(connection.setting('options'));
    // Provider-specific fields travel in provider.options.<slug>, the slug being the model's vendor.
    if (settings.instructions !== undefined) {
      const slug = settings.model.includes('/') ? settings.model.slice(0, settings.model.indexOf('/')) : 'openai';
      options[slug] = { ...(options[slug] ?? {}), instructions: settings.instructions };
    }
    return {
      kind: 'http',
      warnings,
      request: (input) => {
        const body = speechBody(settings, input, { instructions: false, streamFormat: false });
        if (Object.keys(options).length > 0) body['provider'] = { options };
        return {
          url: joinUrl(connection.baseUrl, 'audio/speech'),
          headers: jsonHeaders(bearer(connection)),
          body: JSON.stringify(body),
        };
      },
    };
  },
};

function providerOptions(raw: string | undefined): Record<string, Record<string, unknown>> {
  if (raw === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return structuredClone(parsed) as Record<string, Record<string, unknown>>;
    }
  } catch {
    // fall through to the error below
  }
  throw new UsageError('openrouter.options must be a JSON object keyed by provider slug', {
    hint: `tts config set openrouter.options '{"openai":{"instructions":"Speak softly."}}'`,
  });
}
