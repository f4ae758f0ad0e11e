import { describe, expect, test } from 'vitest';
import { ProviderError } from '../../src/errors.js';
import { SseAudioDecoder } from '../../src/http/sse-decoder.js';
import { OPENAI_RESPONSES } from '../../src/providers/compatible-shapes.js';

const openai = { provider: 'openai', dialect: OPENAI_RESPONSES };

const audio = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7) % 256));
const delta = (bytes: Buffer) => JSON.stringify({ type: 'speech.audio.delta', audio: bytes.toString('base64') });
const stream = [
  ': keep-alive comment\r\n\r\n',
  `event: speech.audio.delta\r\ndata: ${delta(audio.subarray(0, 100))}\r\n\r\n`,
  `data: ${delta(audio.subarray(100, 250))}\n\n`,
  `data:${delta(audio.subarray(250))}\r\r`,
  `data: {"type":"speech.audio.done","usage":{"input_tokens":3,"output_tokens":40,"total_tokens":43}}\n\n`,
  'data: [DONE]\n\n',
].join('');

function decode(pieces: Buffer[]): { audio: Buffer; decoder: SseAudioDecoder } {
  const decoder = new SseAudioDecoder(openai);
  const out: Uint8Array[] = [];
  for (const p of pieces) out.push(...decoder.push(p));
  out.push(...decoder.end());
  return { audio: Buffer.concat(out), decoder };
}

describe('SSE audio decoder', () => {
  test('decodes the whole stream in one piece', () => {
    const { audio: got, decoder } = decode([Buffer.from(stream)]);
    expect(got).toEqual(audio);
    expect(decoder.done).toBe(true);
  });

  test('gives the same audio when the bytes are cut at every possible point', () => {
    const bytes = Buffer.from(stream);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(decode([bytes.subarray(0, cut), bytes.subarray(cut)]).audio).toEqual(audio);
    }
  });

  test('gives the same audio fed one byte at a time (CRLF and multi-byte UTF-8 split)', () => {
    const withUnicode = stream.replace(': keep-alive comment', ': ünïcödé ✓ comment');
    const bytes = Buffer.from(withUnicode);
    expect(decode([...bytes].map((b) => Buffer.from([b]))).audio).toEqual(audio);
  });

  test('flushes a last event whose blank line never came', () => {
    const { audio: got, decoder } = decode([Buffer.from(`data: ${delta(audio)}\n\ndata: {"type":"speech.audio.done"}`)]);
    expect(got).toEqual(audio);
    expect(decoder.done).toBe(true);
  });

  test('an error event becomes a provider error with its message', () => {
    const decoder = new SseAudioDecoder(openai);
    expect(() => decoder.push(Buffer.from('data: {"type":"error","error":{"message":"overloaded","code":"server_error"}}\n\n'))).toThrow(ProviderError);
    expect(() => new SseAudioDecoder({ ...openai, provider: 'x' }).push(Buffer.from('data: {"type":"error","error":{"message":"overloaded"}}\n\n'))).toThrow(/overloaded/);
  });

  test('an event that never ends is refused past 64 MiB, not held until the timeout', () => {
    const decoder = new SseAudioDecoder(openai);
    decoder.push(Buffer.from('event: speech.audio.delta\ndata: '));
    const piece = Buffer.alloc(1024 ** 2, 0x61);
    let fed = 0;
    const feed = () => {
      for (; fed < 100; fed++) decoder.push(piece);
    };
    expect(feed).toThrow(/openai sent an SSE event of more than 64 MiB without ending it/);
    expect(fed).toBe(63);
  });

  test('an event that is not JSON is an error, not silence', () => {
    expect(() => new SseAudioDecoder(openai).push(Buffer.from('data: garbage\n\n'))).toThrow(/not JSON/);
  });
});
