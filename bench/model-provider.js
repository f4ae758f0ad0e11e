import { createServer } from 'node:http';
import { wavHeader } from '../dist/audio/wav.js';

/**
 * A local server that behaves like a speech provider: it answers after `ttfbMs`, then streams
 * `bytesPerChar` bytes of audio per input character, spread over `msPerChar` per character.
 * The audio is 24 kHz s16le (quiet noise): raw pcm, or wav with OpenAI's streaming header.
 */
export async function startModelProvider({ ttfbMs, msPerChar, bytesPerChar, pieceMs = 20 }) {
  const firstBytes = [];
  const requests = [];
  /** Each request's input length in characters, in arrival order. */
  const inputChars = [];
  const server = createServer(async (req, res) => {
    requests.push(performance.now());
    let body = '';
    for await (const part of req) body += part;
    const { input, response_format: format } = JSON.parse(body);
    const chars = [...input].length;
    inputChars.push(chars);
    await sleep(ttfbMs);
    res.writeHead(200, { 'content-type': format === 'wav' ? 'audio/wav' : 'audio/pcm' });
    if (format === 'wav') res.write(wavHeader({ formatTag: 1, sampleRate: 24_000, channels: 1, bitsPerSample: 16 }, undefined));
    const total = Math.floor((chars * bytesPerChar) / 2) * 2;
    const steps = Math.max(1, Math.round((chars * msPerChar) / pieceMs));
    const piece = Math.ceil(total / steps / 2) * 2;
    const started = Date.now();
    for (let sent = 0, step = 0; sent < total; step++) {
      const size = Math.min(piece, total - sent);
      if (sent === 0) firstBytes.push(performance.now());
      res.write(noise(size));
      sent += size;
      const due = started + ((step + 1) * chars * msPerChar) / steps;
      if (due > Date.now()) await sleep(due - Date.now());
    }
    res.end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    firstBytes,
    requests,
    inputChars,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

let pool;
function noise(size) {
  pool ??= Buffer.from(Array.from({ length: 1 << 16 }, () => Math.floor(Math.random() * 16)));
  return size <= pool.length ? pool.subarray(0, size) : Buffer.alloc(size, 3);
}

