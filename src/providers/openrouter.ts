import { UsageError } from '../errors.js';
import { BILLING, openAiError, text } from './compatible-shapes.js';
import { bearer, jsonHeaders, speechBody } from './openai-body.js';
import { openAiPrice } from './openai-prices.js';
import { OPENAI_VOICES } from './openai.js';
import { joinUrl, type ModelInfo, type ProviderSpec } from './provider-spec.js';

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
  secretHeaders: ['authorization'],
  // `{error:{code:402,message}}` with numeric codes, and `{success:false,error:{name:"ZodError",message}}`
  // for a malformed request: OpenAI's reader takes both. 402 is out of credits.
  responses: { errorShapes: [openAiError], billing: BILLING, requestIdHeaders: ['x-request-id', 'x-generation-id'] },
  // Its speech models, with their voices and prices, come from the models API.
  discovery: {
    models: { path: 'models?output_modalities=speech', read: readModels },
    voicesFromModels: true,
    pricesFromModels: true,
  },
  // For a model its models API does not price.
  price: openAiPrice,
  settings: {
    options: { about: 'JSON merged into provider.options, keyed by provider slug, e.g. {"azure":{"style":"cheerful"}}' },
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

/** `{data:[{id,name,pricing:{prompt},supported_voices}]}`: the price is in dollars per character, as a string. */
function readModels(body: unknown): ModelInfo[] {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return [];
  return data
    .map((entry: unknown): ModelInfo => {
      const model = (entry ?? {}) as Record<string, unknown>;
      const price = Number(text((model['pricing'] as Record<string, unknown> | undefined)?.['prompt']) ?? NaN);
      const voices = Array.isArray(model['supported_voices']) ? model['supported_voices'].map(String) : undefined;
      return { id: text(model['id']) ?? '', name: text(model['name']), perCharacterUsd: Number.isFinite(price) ? price : undefined, voices };
    })
    .filter((m) => m.id !== '');
}

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
