import type { ErrorShape, ModelInfo, ResponseDialect, VoiceInfo } from './provider-spec.js';

/**
 * Shapes of answers that many OpenAI-compatible servers share: error bodies, model lists, voice
 * lists. Each provider file names the ones its server sends; nothing here is used unless it does.
 */

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

/** A non-empty string, or a number as one (OpenRouter's codes are numbers). */
export const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;

/**
 * OpenAI's `{error:{message,type,code}}`, as LiteLLM, Aqueduct and Azure send it too (Azure's code a
 * string, OpenRouter's a number), OpenRouter's schema errors `{success:false,error:{name,message}}`,
 * and a bare `{error:"…"}`.
 */
export const openAiError: ErrorShape = (body) => {
  const error = record(body)?.['error'];
  if (typeof error === 'string') return { message: error };
  const fields = record(error);
  if (!fields) return undefined;
  return { message: text(fields['message']), code: text(fields['code']), type: text(fields['type']) ?? text(fields['name']) };
};

/** FastAPI's `{detail:"…"}` and `{detail:[{msg}]}`, and Kokoro-FastAPI's `{detail:{error,message,type}}`. */
export const fastApiError: ErrorShape = (body) => {
  const detail = record(body)?.['detail'];
  if (typeof detail === 'string') return { message: detail };
  if (Array.isArray(detail)) {
    const messages = detail.map((d) => text(record(d)?.['msg'])).filter((m) => m !== undefined);
    return { message: messages.join('; ') || undefined, type: 'validation_error' };
  }
  const fields = record(detail);
  return fields ? { message: text(fields['message']), code: text(fields['error']), type: text(fields['type']) } : undefined;
};

/** `{message,code,type}` at the top: what an unknown server most likely sends when not OpenAI's shape. */
export const topLevelError: ErrorShape = (body) => {
  const fields = record(body);
  return fields && text(fields['message']) !== undefined ? { message: text(fields['message']), code: text(fields['code']), type: text(fields['type']) } : undefined;
};

/** Out of money: OpenAI's insufficient_quota (a 429, like a rate limit), a 402, and the like. */
export const BILLING = { statuses: [402], codes: /insufficient_quota|quota_exceeded|billing|credit|payment_required/i } as const;

/** OpenAI's answers: its error shape, its billing codes, x-request-id. */
export const OPENAI_RESPONSES: ResponseDialect = { errorShapes: [openAiError], billing: BILLING, requestIdHeaders: ['x-request-id'] };

/**
 * OpenAI's `GET /models` (`{data:[{id}]}`, or LiteLLM's `model_name`), kept to the models
 * `isSpeechModel` names; every model when it is not given.
 */
export function openAiModelList(isSpeechModel: (id: string) => boolean = () => true): (body: unknown) => ModelInfo[] {
  return (body) => {
    const list = record(body)?.['data'] ?? record(body)?.['models'];
    if (!Array.isArray(list)) return [];
    return list
      .map((entry): ModelInfo => {
        const model = record(entry) ?? {};
        return { id: text(model['id']) ?? text(model['model_name']) ?? '', name: text(model['name']) };
      })
      .filter((m) => m.id !== '' && isSpeechModel(m.id));
  };
}

/** Kokoro-FastAPI's `GET /audio/voices`: names, or `{id,name,language}`, bare or under `voices`. */
export function kokoroVoiceList(body: unknown): VoiceInfo[] | undefined {
  const list = Array.isArray(body) ? body : record(body)?.['voices'];
  if (!Array.isArray(list)) return undefined;
  return list
    .map((entry): VoiceInfo => {
      if (typeof entry === 'string') return { id: entry };
      const voice = record(entry) ?? {};
      return { id: text(voice['id']) ?? text(voice['name']) ?? '', name: text(voice['name']), language: text(voice['language']) };
    })
    .filter((v) => v.id !== '');
}

/** Speech models in a general model list, by the names they go by. */
export const looksLikeSpeechModel = (id: string): boolean => /tts|speech|kokoro|voice|orpheus|sesame/i.test(id);
