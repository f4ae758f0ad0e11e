/** Types for align-corpus.js, which the tests (TypeScript) and the bench (JavaScript) share. */
export type Kind = 'prose' | 'label' | 'heading' | 'question' | 'numbers' | 'long';

export const SENTENCES: Record<Kind, string[]>;

export function random(seed: number): () => number;

export function clauseCues(sentence: string, maxChars?: number): string[];

export function pickSentences(kinds: readonly Kind[], count: number, rand: () => number): string[];

export function soundSpan(samples: Int16Array, rate: number): { start: number; end: number };

export interface SpeakOptions {
  voice?: 'kal' | 'slt' | 'rms' | 'awb';
  stretch?: number;
  tempo?: number;
  pauses?: [number, number];
  colonPauses?: [number, number];
  blips?: number;
  noiseDb?: number;
  seed?: number;
}

export interface CorpusCue {
  text: string;
  endsSentence: boolean;
  sentence: number;
}

export interface SpokenRequest {
  pcm: Buffer;
  cues: CorpusCue[];
  truth: { start: number; end: number }[];
  seconds: number;
}

export function speakRequest(sentences: readonly string[], options: SpeakOptions): Promise<SpokenRequest>;

export interface Score {
  sentenceChanges: number;
  misses: { after: string; at: number; pause: [number, number] }[];
  clauseChanges: number;
  clauseMisses: number;
  edges: [number, number];
  edgeMisses: number;
}

export function score(times: readonly { start: number; end: number }[], request: SpokenRequest, slack?: number): Score;
