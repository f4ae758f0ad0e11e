import type { CostEstimate } from './provider-spec.js';

/** Speech runs at about 15 characters a second (≈ 150 words a minute). */
export const CHARS_PER_SECOND = 15;

/** OpenAI's published prices, in US dollars. */
const PER_MILLION_CHARS: Record<string, number> = { 'tts-1': 15, 'tts-1-hd': 30 };
const MINI_TTS = { inputPerMillionTokens: 0.6, audioPerMinute: 0.015 };

/**
 * What speaking `characters` with one of OpenAI's models costs, whoever serves it (OpenAI, Azure, a
 * gateway in front of them): per character for tts-1 and tts-1-hd, by token prices for
 * gpt-4o-mini-tts (text in at ~4 characters a token, audio out by the minute). A vendor prefix
 * (`openai/tts-1`) is ignored. Undefined for any other model.
 */
export function openAiPrice(model: string, characters: number): CostEstimate | undefined {
  const bare = model.replace(/^[^/]+\//, '');
  const perMillion = PER_MILLION_CHARS[bare];
  if (perMillion !== undefined) return { usd: (characters * perMillion) / 1e6, basis: `$${perMillion} per million characters` };
  if (/^gpt-4o-mini-tts/.test(bare)) {
    const minutes = characters / CHARS_PER_SECOND / 60;
    const usd = (characters / 4 / 1e6) * MINI_TTS.inputPerMillionTokens + minutes * MINI_TTS.audioPerMinute;
    return { usd, basis: `$${MINI_TTS.inputPerMillionTokens} per million text tokens and about $${MINI_TTS.audioPerMinute} per minute of audio` };
  }
  return undefined;
}
