import { ConfigError } from '../errors.js';
import { BILLING, looksLikeSpeechModel, openAiError, openAiModelList, text } from './compatible-shapes.js';
import { jsonHeaders, speechBody } from './openai-body.js';
import { openAiPrice } from './openai-prices.js';
import { OPENAI_VOICES } from './openai.js';
import { joinUrl, type ErrorShape, type ProviderConnection, type ProviderSpec } from './provider-spec.js';

const HOSTED = 'https://api.portkey.ai/v1';

/** Portkey's AI gateway, hosted or self-hosted; routing is by virtual key, provider, or config. */
export const portkey: ProviderSpec = {
  name: 'portkey',
  description: 'Portkey AI gateway',
  apiKeyEnv: 'PORTKEY_API_KEY',
  baseUrlEnv: ['PORTKEY_BASE_URL'],
  defaultBaseUrl: HOSTED,
  // Only the hosted service wants a Portkey key; `prepare` insists on it there.
  keyRequired: false,
  formats: ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'],
  defaultModel: 'gpt-4o-mini-tts',
  defaultVoice: 'alloy',
  voices: OPENAI_VOICES,
  models: [],
  maxInputChars: 4096,
  authHeaders: portkeyHeaders,
  secretHeaders: ['x-portkey-api-key', 'x-portkey-virtual-key', 'authorization'],
  // Upstream errors keep OpenAI's shape (`{error:{…},provider:"openai"}`); the gateway's own are
  // `{status:"failure",message}`.
  responses: { errorShapes: [openAiError, gatewayFailure], billing: BILLING, requestIdHeaders: ['x-request-id', 'x-portkey-trace-id'] },
  discovery: { models: { path: 'models', read: openAiModelList(looksLikeSpeechModel) } },
  price: openAiPrice,
  settings: {
    virtualKey: { about: 'route through a Portkey virtual key (x-portkey-virtual-key)', secret: true },
    provider: { about: 'route to this provider (x-portkey-provider), with providerApiKey' },
    providerApiKey: { about: "the routed provider's own key, sent as Bearer", secret: true },
    config: { about: 'a Portkey config: JSON, or a saved config id (x-portkey-config)' },
    customHost: { about: 'point the provider at another URL (x-portkey-custom-host)' },
  },
  prepare(connection, settings) {
    if (!connection.apiKey && connection.baseUrl.replace(/\/+$/, '') === HOSTED) {
      throw new ConfigError("Portkey's hosted gateway needs a Portkey API key", {
        hint: 'Set PORTKEY_API_KEY or run: tts config set portkey.apiKey (or point portkey.baseUrl at a self-hosted gateway)',
      });
    }
    // The gateway forwards only model, input, voice, response_format and speed.
    const warnings: string[] = [];
    if (settings.instructions !== undefined) warnings.push("Portkey's gateway drops --instructions; they were left out.");
    if (settings.streamFormat === 'sse') warnings.push("Portkey's gateway does not pass SSE on; asking for plain audio instead.");
    const headers = jsonHeaders(portkeyHeaders(connection));
    return {
      kind: 'http',
      warnings,
      request: (input) => ({
        url: joinUrl(connection.baseUrl, 'audio/speech'),
        headers,
        body: JSON.stringify(speechBody(settings, input, { instructions: false, streamFormat: false })),
      }),
    };
  },
};

/** The gateway's own refusals: `{status:"failure",message}`. */
function gatewayFailure(body: unknown): ReturnType<ErrorShape> {
  const fields = (body ?? {}) as Record<string, unknown>;
  return fields['status'] === 'failure' ? { message: text(fields['message']) } : undefined;
}

function portkeyHeaders(connection: ProviderConnection): Record<string, string> {
  const headers: Record<string, string> = {};
  const set = (header: string, value: string | undefined): void => {
    if (value !== undefined && value !== '') headers[header] = value;
  };
  set('x-portkey-api-key', connection.apiKey);
  set('x-portkey-virtual-key', connection.setting('virtualKey'));
  set('x-portkey-provider', connection.setting('provider'));
  set('x-portkey-config', connection.setting('config'));
  set('x-portkey-custom-host', connection.setting('customHost'));
  const providerKey = connection.setting('providerApiKey');
  if (providerKey) headers['authorization'] = `Bearer ${providerKey}`;
  return headers;
}
