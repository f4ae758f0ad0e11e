import { joinUrl, type PreparedSpeech, type ProviderConnection, type SpeechSettings } from './provider-spec.js';

export interface BodyFields {
  instructions: boolean;
  streamFormat: boolean;
}

/**
 * The OpenAI `/audio/speech` body with only the fields the provider takes: OpenAI rejects unknown
 * fields with a 400, so nothing is sent that was not asked for or is not accepted.
 */
export function speechBody(settings: SpeechSettings, input: string, fields: BodyFields): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: settings.model,
    input,
    voice: voiceValue(settings.voice),
    response_format: settings.format,
  };
  if (settings.speed !== undefined) body['speed'] = settings.speed;
  if (fields.instructions && settings.instructions !== undefined) body['instructions'] = settings.instructions;
  if (fields.streamFormat && settings.streamFormat === 'sse') body['stream_format'] = 'sse';
  return body;
}

/** OpenAI custom voices are objects `{ "id": "voice_…" }`; everything else is a name. */
function voiceValue(voice: string): string | { id: string } {
  return /^voice_[A-Za-z0-9]+$/.test(voice) ? { id: voice } : voice;
}

/** tts-1 and tts-1-hd refuse both instructions and SSE with a 400. */
export const isClassicTtsModel = (model: string): boolean => /(^|\/)tts-1(-hd)?($|-)/.test(model);

/**
 * What an OpenAI model really takes: tts-1 and tts-1-hd would answer 400 to instructions or SSE, so
 * those are left out with a warning rather than sent to fail.
 */
export function openAiModelRules(settings: SpeechSettings): { warnings: string[]; settings: SpeechSettings; fields: BodyFields } {
  if (!isClassicTtsModel(settings.model)) {
    return { warnings: [], settings, fields: { instructions: true, streamFormat: true } };
  }
  const warnings: string[] = [];
  if (settings.instructions !== undefined) warnings.push(`${settings.model} does not take --instructions; they were left out.`);
  if (settings.streamFormat === 'sse') warnings.push(`${settings.model} cannot stream SSE; asking for plain audio instead.`);
  return { warnings, settings: { ...settings, streamFormat: 'audio' }, fields: { instructions: false, streamFormat: true } };
}

export const jsonHeaders = (auth: Record<string, string>): Record<string, string> => ({
  'content-type': 'application/json',
  ...auth,
});

/** The usual auth: the key as a Bearer token, when there is one. */
export const bearer = (connection: ProviderConnection): Record<string, string> =>
  connection.apiKey ? { authorization: `Bearer ${connection.apiKey}` } : {};

/** A server that takes the whole OpenAI body as it is, with an optional Bearer key. */
export function openAiCompatible(connection: ProviderConnection, settings: SpeechSettings): PreparedSpeech {
  return {
    kind: 'http',
    warnings: [],
    request: (input) => ({
      url: joinUrl(connection.baseUrl, 'audio/speech'),
      headers: jsonHeaders(bearer(connection)),
      body: JSON.stringify(speechBody(settings, input, { instructions: true, streamFormat: true })),
    }),
  };
}
