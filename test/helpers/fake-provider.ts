import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  rawBody: string;
}

/** How the fake answers one request; it gets the request to base the audio on. */
export type Reply = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

/**
 * A speech provider on 127.0.0.1 that records every request and answers from a script, one reply per
 * call, then `fallback` for every call after the script runs out.
 */
export class FakeProvider {
  readonly requests: RecordedRequest[] = [];
  private script: Reply[] = [];
  private server: Server;
  fallback: Reply;

  private constructor(fallback: Reply) {
    this.fallback = fallback;
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  static async start(fallback: Reply = speechReply()): Promise<FakeProvider> {
    const fake = new FakeProvider(fallback);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Queue replies for the next calls, in order. */
  reply(...replies: Reply[]): this {
    this.script.push(...replies);
    return this;
  }

  /** The `input` texts received, in arrival order. */
  inputs(): string[] {
    return this.requests.map((r) => String(r.body['input']));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parts: Buffer[] = [];
    for await (const part of req) parts.push(part as Buffer);
    const rawBody = Buffer.concat(parts).toString('utf8');
    let body: Record<string, unknown> = {};
    try {
      body = rawBody ? (JSON.parse(rawBody) as Record<string, unknown>) : {};
    } catch {
      body = {};
    }
    const recorded: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, rawBody };
    this.requests.push(recorded);
    const reply = this.script.shift() ?? this.fallback;
    try {
      await reply(recorded, res);
    } catch {
      res.destroy();
    }
  }
}

/** 24 kHz mono s16le speech stand-in: `samplesPerChar` samples per input character, a ramp per chunk. */
export function fakePcm(input: string, samplesPerChar = 24): Buffer {
  const samples = Math.max(1, [...input].length * samplesPerChar);
  const pcm = Buffer.alloc(samples * 2);
  // Each chunk has its own signature (its length), so tests can tell chunks apart and check order.
  const tag = [...input].length % 1000;
  for (let i = 0; i < samples; i++) pcm.writeInt16LE(((i % 200) - 100) * 50 + tag, i * 2);
  return pcm;
}

/** A WAV file as OpenAI streams it: RIFF and data sizes 0xFFFFFFFF. */
export function streamingWav(pcm: Buffer, sampleRate = 24_000, channels = 1): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(0xffffffff, 4);
  h.write('WAVEfmt ', 8, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * 2 * channels, 28);
  h.writeUInt16LE(2 * channels, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(0xffffffff, 40);
  return Buffer.concat([h, pcm]);
}

export interface AudioReplyOptions {
  contentType?: string;
  headers?: Record<string, string>;
  /** Write the body in pieces of this size, yielding between them. */
  pieceSize?: number;
  delayMs?: number;
}

export function bytesReply(make: (req: RecordedRequest) => Buffer, options: AudioReplyOptions = {}): Reply {
  return async (req, res) => {
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
    const body = make(req);
    res.writeHead(200, { 'content-type': options.contentType ?? 'application/octet-stream', 'x-request-id': `req_${Math.random().toString(36).slice(2, 10)}`, ...options.headers });
    const piece = options.pieceSize ?? body.length;
    for (let at = 0; at < body.length; at += piece) {
      res.write(body.subarray(at, at + piece));
      if (options.pieceSize) await new Promise((r) => setImmediate(r));
    }
    res.end();
  };
}

export const pcmReply = (options: AudioReplyOptions = {}): Reply =>
  bytesReply((req) => fakePcm(String(req.body['input'])), { contentType: 'audio/pcm', ...options });

export const wavReply = (options: AudioReplyOptions = {}): Reply =>
  bytesReply((req) => streamingWav(fakePcm(String(req.body['input']))), { contentType: 'audio/wav', ...options });

/** OpenAI's SSE stream: the audio in base64 deltas, then speech.audio.done. */
export const sseReply = (deltaBytes = 1000): Reply => (req, res) => {
  const audio = fakePcm(String(req.body['input']));
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (let at = 0; at < audio.length; at += deltaBytes) {
    res.write(`event: speech.audio.delta\r\ndata: ${JSON.stringify({ type: 'speech.audio.delta', audio: audio.subarray(at, at + deltaBytes).toString('base64') })}\r\n\r\n`);
  }
  res.end(`data: ${JSON.stringify({ type: 'speech.audio.done', usage: { input_tokens: 5, output_tokens: 9, total_tokens: 14 } })}\n\ndata: [DONE]\n\n`);
};

export const jsonError = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

export const htmlPage = (status = 200): Reply => (_req, res) => {
  res.writeHead(status, { 'content-type': 'text/html' });
  res.end('<!DOCTYPE html><html><head><title>Welcome</title></head><body>Sign in to the Wi-Fi</body></html>');
};

/** Sends part of the audio, then drops the connection. */
export const resetMidBody = (make: (req: RecordedRequest) => Buffer = (req) => fakePcm(String(req.body['input']))): Reply => async (req, res) => {
  const body = make(req);
  res.writeHead(200, { 'content-type': 'audio/pcm', 'content-length': String(body.length) });
  res.write(body.subarray(0, Math.floor(body.length / 2)));
  await new Promise((r) => setTimeout(r, 10));
  res.destroy();
};

/** Never answers until the client gives up. */
export const hang = (): Reply => () => new Promise<void>(() => undefined);

/**
 * Structurally valid MPEG-2 Layer III frames (24 kHz mono, 32 kbps, 96 bytes each, silent), preceded
 * by an ID3v2 tag as ffmpeg-made files are: enough for anything that walks frames.
 */
export function fakeMp3(input: string): Buffer {
  const id3 = Buffer.concat([Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x0a', 'latin1'), Buffer.alloc(10)]);
  const frames = Math.max(1, Math.ceil([...input].length / 4));
  const frame = Buffer.alloc(96);
  frame.set([0xff, 0xf3, 0x44, 0xc0]);
  return Buffer.concat([id3, ...Array.from({ length: frames }, () => frame)]);
}

const STUB_STARTS: Record<string, Buffer> = {
  opus: Buffer.from('OggS\x00\x02', 'latin1'),
  flac: Buffer.from('fLaC\x00\x00\x00\x22', 'latin1'),
  aac: Buffer.from([0xff, 0xf1, 0x60, 0x40, 0x10, 0x1f, 0xfc]),
};

/** Answers in whatever response_format was asked (OpenAI's default mp3 when none). */
export const speechReply = (options: AudioReplyOptions = {}): Reply => (req, res) => {
  const format = String(req.body['response_format'] ?? 'mp3');
  const input = String(req.body['input']);
  const make =
    format === 'pcm' ? () => fakePcm(input)
    : format === 'wav' ? () => streamingWav(fakePcm(input))
    : format === 'mp3' ? () => fakeMp3(input)
    : () => Buffer.concat([STUB_STARTS[format] ?? Buffer.alloc(0), Buffer.alloc(200, 7)]);
  return bytesReply(make, { contentType: format === 'mp3' ? 'audio/mpeg' : `audio/${format}`, ...options })(req, res);
};

/**
 * Compares audio bytes quickly (deep equality walks a Buffer element by element) and says where
 * they first differ.
 */
export function sameBytes(actual: Buffer, expected: Buffer): string {
  if (actual.equals(expected)) return 'same';
  let at = 0;
  while (at < actual.length && at < expected.length && actual[at] === expected[at]) at++;
  return `differ: ${actual.length} bytes vs ${expected.length} expected, first difference at byte ${at}`;
}
