import { SPEECH_PCM } from '../audio/formats.js';
import { UsageError } from '../errors.js';
import type { ProviderSpec } from './provider-spec.js';

/**
 * The built-in voice: eSpeak NG compiled to WebAssembly, running in this process. No network, no
 * key, no system package. It speaks 24 kHz pcm like the others; every other format is made here.
 */
export const local: ProviderSpec = {
  name: 'local',
  description: 'the built-in voice (eSpeak NG, offline)',
  apiKeyEnv: undefined,
  baseUrlEnv: [],
  inProcess: true,
  keyRequired: false,
  formats: ['pcm'],
  defaultModel: 'espeak-ng',
  defaultVoice: 'en-us',
  voices: ['en-us', 'en-gb', 'de', 'fr', 'es', 'it', 'pt', 'nl', 'sv', 'pl', 'ru', 'cmn', 'ja', 'hi', 'ar'],
  models: ['espeak-ng'],
  // eSpeak takes any length, but shorter chunks start sound sooner and run on both cores.
  maxInputChars: 2048,
  authHeaders: () => ({}),
  secretHeaders: [],
  // Nothing is asked of a server: its failures are tts's own errors.
  responses: { errorShapes: [], billing: { statuses: [], codes: /$^/ }, requestIdHeaders: [] },
  discovery: {
    localVoices: async (signal) => {
      const { espeakVoices } = await import('../local-voice/synthesize.js');
      const { voices } = await espeakVoices(signal);
      return voices.map((v) => ({ id: v.language, name: v.name.replace(/_/g, ' '), gender: v.gender }));
    },
  },
  settings: {},
  prepare(_connection, settings) {
    const warnings: string[] = [];
    if (settings.instructions !== undefined) warnings.push('The built-in voice does not take --instructions; they were left out.');
    return {
      kind: 'in-process',
      warnings,
      check: async (signal) => {
        // The default voice is known to exist; any other is checked against eSpeak's own table.
        if (settings.voice === local.defaultVoice) return;
        const { espeakVoices } = await import('../local-voice/synthesize.js');
        const { voiceProblem } = await import('../local-voice/voices.js');
        const { voices, variants } = await espeakVoices(signal);
        const problem = voiceProblem(settings.voice, voices, variants);
        if (problem) {
          throw new UsageError(`The built-in voice cannot speak as "${settings.voice}": ${problem}`, {
            hint: 'List its voices with: tts voices -p local (e.g. en-us, en-gb, de, fr, es, or en-us+f3).',
          });
        }
      },
      synthesize: async (input, signal) => {
        const { synthesize } = await import('../local-voice/synthesize.js');
        return synthesize(input, { voice: settings.voice, speed: settings.speed, sampleRate: SPEECH_PCM.sampleRate, signal });
      },
    };
  },
};
