import { createJoiner } from '../dist/audio/format-plan.js';

/** 15 s of a 24 kHz mono tone as s16le, like one chunk of speech. */
function tone(seconds = 15) {
  const n = seconds * 24_000;
  const pcm = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) pcm.writeInt16LE(Math.round(Math.sin(i / 7) * 8000 + Math.sin(i / 31) * 3000), i * 2);
  return pcm;
}

/** One chunk's bytes in `format`, made with the project's own encoders (no external program). */
async function chunkIn(format, pcm) {
  if (format === 'pcm') return pcm;
  if (format === 'aac') return adtsFrames(pcm.length / 48);
  const joiner = await createJoiner({ wire: 'pcm', output: format }, { seekable: false });
  const out = [...joiner.push(pcm), ...joiner.endChunk(), ...joiner.finish().tail];
  return Buffer.concat(out.map((b) => Buffer.from(b)));
}

/** Valid ADTS framing (7-byte headers, 24 kHz mono LC) around filler payloads: what the AAC join checks. */
function adtsFrames(ms) {
  const frames = Math.ceil((ms * 24) / 1024);
  const frame = Buffer.alloc(200, 0x21);
  frame.set([0xff, 0xf1, 0x58, 0x40, (200 >> 3) & 0xff, ((200 & 7) << 5) | 0x1f, 0xfc]);
  return Buffer.concat(Array.from({ length: frames }, () => frame));
}

export async function benchJoins() {
  const pcm = tone();
  const rows = [];
  for (const format of ['pcm', 'wav', 'mp3', 'opus', 'flac', 'aac']) {
    const chunk = await chunkIn(format, pcm);
    const chunks = 40;
    const best = [];
    for (let round = 0; round < 3; round++) {
      const joiner = await createJoiner({ wire: format, output: format }, { seekable: true });
      const started = performance.now();
      let bytes = 0;
      for (let c = 0; c < chunks; c++) {
        for (let at = 0; at < chunk.length; at += 64 * 1024) for (const out of joiner.push(chunk.subarray(at, at + 64 * 1024))) bytes += out.length;
        for (const out of joiner.endChunk()) bytes += out.length;
      }
      joiner.finish();
      best.push((chunk.length * chunks) / 1e6 / ((performance.now() - started) / 1000));
    }
    const mbps = Math.max(...best);
    const value = mbps >= 1000 ? `${(mbps / 1000).toFixed(0)} GB/s` : `${mbps.toFixed(0)} MB/s`;
    rows.push({ measure: `join ${format} (${chunks} chunks of 15 s, ${(chunk.length / 1e6).toFixed(2)} MB each)`, value, target: '> 50 MB/s', ok: mbps > 50 });
  }
  return rows;
}
