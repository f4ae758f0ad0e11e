import { BILLING, openAiError } from './compatible-shapes.js';
import { jsonHeaders, openAiModelRules, speechBody } from './openai-body.js';
import { openAiPrice } from './openai-prices.js';
import { OPENAI_VOICES } from './openai.js';
import { joinUrl, type ProviderConnection, type ProviderSpec } from './provider-spec.js';

/** The newest generally available data-plane version that serves `/audio/speech`. */
export const AZURE_API_VERSION = '2024-10-21';

/** Azure OpenAI: the deployment name plays the part of the model, and it goes in the path. */
export const azure: ProviderSpec = {
  name: 'azure',
  description: 'Azure OpenAI',
  apiKeyEnv: 'AZURE_OPENAI_API_KEY',
  baseUrlEnv: ['AZURE_OPENAI_ENDPOINT'],
  keyRequired: true,
  formats: ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'],
  defaultModel: 'gpt-4o-mini-tts',
  defaultVoice: 'alloy',
  voices: OPENAI_VOICES,
  models: [],
  maxInputChars: 4096,
  authHeaders: (connection) => azureKey(connection),
  secretHeaders: ['api-key', 'authorization'],
  // OpenAI's shape with string codes ("401"); API Management names the request apim-request-id.
  responses: { errorShapes: [openAiError], billing: BILLING, requestIdHeaders: ['x-request-id', 'apim-request-id'] },
  // Deployments are named by whoever made them; one named after its model is priced as that model.
  price: openAiPrice,
  settings: { apiVersion: { about: `the api-version query parameter (default ${AZURE_API_VERSION})` } },
  prepare(connection, settings) {
    const apiVersion = connection.setting('apiVersion') ?? AZURE_API_VERSION;
    const url = joinUrl(connection.baseUrl, `openai/deployments/${encodeURIComponent(settings.model)}/audio/speech?api-version=${encodeURIComponent(apiVersion)}`);
    const rules = openAiModelRules(settings);
    const headers = jsonHeaders(azureKey(connection));
    return {
      kind: 'http',
      warnings: rules.warnings,
      request: (input) => ({
        url,
        headers,
        body: JSON.stringify(speechBody(rules.settings, input, rules.fields)),
      }),
    };
  },
};

function azureKey(connection: ProviderConnection): Record<string, string> {
  return connection.apiKey ? { 'api-key': connection.apiKey } : {};
}
