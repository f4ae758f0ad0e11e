import { spawnSync } from 'node:child_process';
import { random, speakRequest, type SpeakOptions } from '../../bench/align-corpus.js';
import { bytesReply, streamingWav, type Reply } from './fake-provider.js';

/** Where one sentence's sound lies in a request's audio, in seconds. */
export interface SentenceTruth {
  text: string;
  start: number;
  end: number;
}

/** What the fake served for one request: its sentences' true places and its length. */
export interface ServedRequest {
  input: string;
  sentences: SentenceTruth[];
  seconds: number;
}

/** Sentences as the test texts have them: no abbreviations, so a stop is a sentence end. */
export const sentencesOf = (text: string): string[] => text.split(/(?<=[.?!])\s+/).map((s) => s.trim()).filter(Boolean);

/**
 * A provider that really speaks: flite (not the eSpeak voice the aligner uses as its reference)
 * says each sentence of the request alone, and the sentences are joined with pauses of seeded,
 * varied length, so the true place of every sentence is known. Answers pcm, wav, or aac (ADTS made
 * by ffmpeg, as a provider's aac is).
 */
export function fliteReply(served: Map<string, ServedRequest>, voice: SpeakOptions['voice'] = 'slt'): Reply {
  return async (req, res) => {
    const input = String(req.body['input']);
    const format = String(req.body['response_format'] ?? 'mp3');
    const sentences = sentencesOf(input);
    const seed = [...input].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
    const spoken = await speakRequest(sentences, { voice, seed, pauses: [0.25, 0.7] });
    const body = format === 'pcm' ? spoken.pcm : format === 'wav' ? streamingWav(spoken.pcm) : format === 'aac' ? adts(spoken.pcm) : undefined;
    // AAC as a decoder plays it: the encoder's 1024 samples of priming first, whole frames of 1024.
    const shift = format === 'aac' ? 1024 / 24_000 : 0;
    const seconds = format === 'aac' && body ? (adtsFrames(body) * 1024) / 24_000 : spoken.seconds;
    served.set(input, { input, seconds, sentences: sentences.map((text, i) => ({ text, start: spoken.truth[i]!.start + shift, end: spoken.truth[i]!.end + shift })) });
    if (!body) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `this test provider speaks pcm, wav and aac, not ${format}` } }));
      return;
    }
    await bytesReply(() => body, { contentType: `audio/${format}` })(req, res);
  };
}

function adts(pcm: Buffer): Buffer {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-f', 's16le', '-ar', '24000', '-ac', '1', '-i', '-', '-c:a', 'aac', '-b:a', '64k', '-f', 'adts', '-'], { input: pcm, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`ffmpeg: ${r.stderr.toString()}`);
  return r.stdout;
}

function adtsFrames(bytes: Buffer): number {
  let frames = 0;
  for (let at = 0; at + 7 <= bytes.length; frames++) at += ((bytes[at + 3]! & 0x03) << 11) | (bytes[at + 4]! << 3) | (bytes[at + 5]! >> 5);
  return frames;
}

/** A seeded text of `count` sentences, a paragraph every five. */
export function storyText(pool: readonly string[], count: number, seed: number): string {
  const rand = random(seed);
  const picked = Array.from({ length: count }, () => pool[Math.floor(rand() * pool.length)]!);
  return picked.map((s, i) => (i > 0 && i % 5 === 0 ? `\n\n${s}` : i > 0 ? ` ${s}` : s)).join('');
}
