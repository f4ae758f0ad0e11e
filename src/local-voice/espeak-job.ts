export interface EspeakJob {
  text: string;
  voice: string;
  wordsPerMinute: number;
  /** The rate the samples are delivered at. */
  sampleRate: number;
  listVoices?: boolean;
}

export type EspeakResult = { ok: true; pcm?: Uint8Array; voices?: string[]; variants?: string[] } | { ok: false; error: string };
