/** The output formats of OpenAI's `/audio/speech`, which every compatible provider copies. */
export const AUDIO_FORMATS = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] as const;
export type AudioFormat = (typeof AUDIO_FORMATS)[number];

/**
 * What tts writes: the speech formats, and AAC in MP4, remuxed from a provider's ADTS: m4a, or m4b
 * (the same, marked as an audiobook). MP4 states its exact length, which ADTS cannot.
 */
export const OUTPUT_FORMATS = [...AUDIO_FORMATS, 'm4a', 'm4b'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The codec an output format carries: what the provider is asked for, or what is made here. */
export const codecOf = (format: OutputFormat): AudioFormat => (format === 'm4a' || format === 'm4b' ? 'aac' : format);

const EXTENSIONS: Record<string, OutputFormat> = {
  mp3: 'mp3',
  opus: 'opus',
  ogg: 'opus',
  oga: 'opus',
  aac: 'aac',
  adts: 'aac',
  flac: 'flac',
  wav: 'wav',
  wave: 'wav',
  pcm: 'pcm',
  raw: 'pcm',
  m4a: 'm4a',
  m4b: 'm4b',
};

/**
 * The format a name means, as -F, the config and file extensions all take it: any case, and the
 * usual other names (ogg is opus, wave is wav, raw is pcm).
 */
export function formatFromName(name: string): OutputFormat | undefined {
  return Object.hasOwn(EXTENSIONS, name.trim().toLowerCase()) ? EXTENSIONS[name.trim().toLowerCase()] : undefined;
}

/**
 * The sample layout of the speech every provider here sends: OpenAI documents `pcm` as 24 kHz,
 * mono, 16-bit signed little-endian, and the others follow it.
 */
export interface PcmLayout {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
}

export const SPEECH_PCM: PcmLayout = { sampleRate: 24_000, channels: 1, bitsPerSample: 16 };
