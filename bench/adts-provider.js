import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';

/** Real AAC frames (pink noise, 24 kHz mono, 32 kbps: about a speech provider's size), made once by ffmpeg. */
function aacFrames() {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'anoisesrc=d=4:c=pink:r=24000:a=0.05', '-ac', '1', '-c:a', 'aac', '-b:a', '32k', '-f', 'adts', '-'], { maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`ffmpeg is needed to make AAC frames for this bench: ${r.stderr}`);
  const frames = [];
  for (let at = 0; at + 7 <= r.stdout.length; ) {
    const length = ((r.stdout[at + 3] & 0x03) << 11) | (r.stdout[at + 4] << 3) | (r.stdout[at + 5] >> 5);
    frames.push(r.stdout.subarray(at, at + length));
    at += length;
  }
  // The first frames are the encoder's priming; the rest are alike.
  return frames.slice(2);
}

/**
 * A provider as fast as a local socket allows, answering every request with ADTS AAC as long as the
 * input would take to say at 15 characters a second: 1 MB of book is about 20 hours. `gate(n)`,
 * given the request's number from 1, may return a promise the answer waits for (to hold requests
 * back, as a stalled provider does).
 */
export async function startAdtsProvider({ gate } = {}) {
  const frames = aacFrames();
  const piece = Buffer.concat(frames);
  const state = { requests: 0, bytes: 0 };
  const server = createServer(async (req, res) => {
    const number = ++state.requests;
    let body = '';
    for await (const part of req) body += part;
    const { input } = JSON.parse(body);
    await gate?.(number);
    const wanted = Math.round((([...input].length / 15) * 24_000) / 1024);
    res.writeHead(200, { 'content-type': 'audio/aac' });
    for (let sent = 0; sent < wanted; sent += frames.length) {
      const out = wanted - sent >= frames.length ? piece : Buffer.concat(frames.slice(0, wanted - sent));
      state.bytes += out.length;
      if (!res.write(out)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    state,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}
