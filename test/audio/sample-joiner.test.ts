import { describe, expect, test } from 'vitest';
import { createJoiner, planFormats } from '../../src/audio/format-plan.js';
import type { AudioJoiner } from '../../src/audio/joiner.js';
import { sniff } from '../../src/audio/sniff.js';
import { fakePcm, streamingWav } from '../helpers/fake-provider.js';

/** Feeds each chunk in pieces of `piece` bytes and applies the patches as a file would. */
function join(joiner: AudioJoiner, chunks: Buffer[], piece = 7, seekable = true): Buffer {
  const out: Uint8Array[] = [];
  for (const chunk of chunks) {
    for (let at = 0; at < chunk.length; at += piece) out.push(...joiner.push(chunk.subarray(at, at + piece)));
    out.push(...joiner.endChunk());
  }
  const end = joiner.finish();
  out.push(...end.tail);
  const file = Buffer.concat(out);
  if (seekable) for (const p of end.patches) Buffer.from(p.bytes).copy(file, p.offset);
  return file;
}

function withRealSizes(wav: Buffer): Buffer {
  const copy = Buffer.from(wav);
  copy.writeUInt32LE(copy.length - 8, 4);
  copy.writeUInt32LE(copy.length - 44, 40);
  return copy;
}

/** A WAV with an EXTENSIBLE fmt chunk, a LIST chunk of odd size (padded) before the data. */
function fancyWav(pcm: Buffer): Buffer {
  const fmt = Buffer.alloc(8 + 40);
  fmt.write('fmt ', 0, 'latin1');
  fmt.writeUInt32LE(40, 4);
  fmt.writeUInt16LE(0xfffe, 8);
  fmt.writeUInt16LE(1, 10);
  fmt.writeUInt32LE(24_000, 12);
  fmt.writeUInt32LE(48_000, 16);
  fmt.writeUInt16LE(2, 20);
  fmt.writeUInt16LE(16, 22);
  fmt.writeUInt16LE(22, 24);
  fmt.writeUInt16LE(16, 26);
  fmt.writeUInt16LE(1, 32);
  const list = Buffer.concat([Buffer.from('LIST', 'latin1'), Buffer.from([5, 0, 0, 0]), Buffer.from('INFOx'), Buffer.alloc(1)]);
  const data = Buffer.concat([Buffer.from('data', 'latin1'), Buffer.alloc(4), pcm]);
  data.writeUInt32LE(pcm.length, 4);
  const body = Buffer.concat([Buffer.from('WAVE', 'latin1'), fmt, list, data]);
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(body.length, 4);
  return Buffer.concat([riff, body]);
}

const pcms = [fakePcm('First sentence.'), fakePcm('Second, longer sentence here.'), fakePcm('Third.')];
const allPcm = Buffer.concat(pcms);

describe('joining chunks at sample level', async () => {
  test.each([
    ['streaming-size WAVs (as OpenAI sends)', pcms.map((p) => streamingWav(p))],
    ['WAVs with real sizes', pcms.map((p) => withRealSizes(streamingWav(p)))],
    ['WAVs with EXTENSIBLE fmt and padded extra chunks', pcms.map(fancyWav)],
  ])('%s become one WAV with one header and exact sizes', async (_name, chunks) => {
    for (const piece of [1, 7, 4096]) {
      const wav = join(await createJoiner(planFormats('wav', ['wav'], 'p')), chunks, piece);
      expect(sniff(wav)).toEqual({ kind: 'audio', container: 'wav' });
      expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
      expect(wav.readUInt32LE(40)).toBe(allPcm.length);
      expect(wav.readUInt32LE(24)).toBe(24_000);
      expect(wav.subarray(44)).toEqual(allPcm);
    }
  });

  test('on a pipe the header keeps the streaming sizes', async () => {
    const wav = join(await createJoiner(planFormats('wav', ['wav'], 'p')), pcms.map((p) => streamingWav(p)), 100, false);
    expect(wav.readUInt32LE(4)).toBe(0xffffffff);
    expect(wav.readUInt32LE(40)).toBe(0xffffffff);
    expect(wav.subarray(44)).toEqual(allPcm);
  });

  test('pcm chunks are joined exactly; an odd trailing byte is dropped, not shifted into the next chunk', async () => {
    const odd = Buffer.concat([pcms[0]!, Buffer.from([0x55])]);
    const joined = join(await createJoiner(planFormats('pcm', ['pcm'], 'p')), [odd, pcms[1]!], 3);
    expect(joined).toEqual(Buffer.concat([pcms[0]!, pcms[1]!]));
  });

  test('wav chunks can become raw pcm, and pcm chunks a wav', async () => {
    expect(join(await createJoiner(planFormats('pcm', ['wav'], 'p')), pcms.map((p) => streamingWav(p)))).toEqual(allPcm);
    const wav = join(await createJoiner(planFormats('wav', ['mp3', 'pcm'], 'p')), pcms);
    expect(wav.subarray(44)).toEqual(allPcm);
    expect(wav.readUInt32LE(40)).toBe(allPcm.length);
  });

  test('a chunk at another sample rate is refused, naming the chunk', async () => {
    const other = streamingWav(pcms[1]!, 22_050);
    await expect(createJoiner(planFormats('wav', ['wav'], 'p')).then((j) => join(j, [streamingWav(pcms[0]!), other]))).rejects.toThrow(/chunk 2 is 22050 Hz.*chunk 1 was 24000 Hz/);
  });

  test('a chunk that is not WAV at all is refused', async () => {
    await expect(createJoiner(planFormats('wav', ['wav'], 'p')).then((j) => join(j, [Buffer.from('<html>nope</html>')]))).rejects.toThrow(/not a WAV/);
  });
});

describe('format plan', async () => {
  test.each([
    ['mp3', ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'], 'mp3'],
    ['wav', ['mp3', 'pcm'], 'pcm'],
    ['pcm', ['mp3', 'wav'], 'wav'],
  ] as const)('%s from a server with %j is asked as %s', (output, server, wire) => {
    expect(planFormats(output, server, 'p').wire).toBe(wire);
  });

  test('a format that can be neither sent nor made is refused, naming what can', async () => {
    expect(() => planFormats('aac', ['mp3', 'pcm'], 'OpenRouter')).toThrow(/OpenRouter cannot produce aac/);
  });
});

describe('pauses at sample level', () => {
  /** A streaming WAV of `bits`-bit samples and `channels` channels (8-bit WAV is unsigned). */
  function wavOf(pcm: Buffer, o: { bits: number; channels: number; rate: number }): Buffer {
    const wav = streamingWav(pcm, o.rate, o.channels);
    wav.writeUInt32LE((o.rate * o.channels * o.bits) / 8, 28);
    wav.writeUInt16LE((o.channels * o.bits) / 8, 32);
    wav.writeUInt16LE(o.bits, 34);
    return wav;
  }

  test.each([
    { bits: 16, channels: 1, rate: 24_000, silentByte: 0x00 },
    { bits: 16, channels: 2, rate: 44_100, silentByte: 0x00 },
    { bits: 8, channels: 1, rate: 22_050, silentByte: 0x80 },
  ])('$bits-bit, $channels channel(s) at $rate Hz: the silent value, for exactly the time asked', async ({ bits, channels, rate, silentByte }) => {
    const joiner = await createJoiner(planFormats('wav', ['wav'], 'p'));
    const frame = (channels * bits) / 8;
    const chunk = wavOf(Buffer.alloc(100 * frame, 0x11), { bits, channels, rate });
    // Asked before the first chunk shows the layout: made first, once it does.
    expect(joiner.silence(10)).toEqual([]);
    expect(joiner.position()).toBeUndefined();
    const wav = join(joiner, [chunk]);
    const lead = Math.round(rate / 100);
    expect(joiner.chunkStart()).toEqual({ samples: lead, sampleRate: rate });
    expect(joiner.position()).toEqual({ samples: lead + 100, sampleRate: rate });
    expect(wav.subarray(44, 44 + lead * frame).every((b) => b === silentByte)).toBe(true);
    expect(wav.subarray(44 + lead * frame).every((b) => b === 0x11)).toBe(true);
  });

  test('raw pcm knows its layout from the start: a pause comes out at once', async () => {
    const joiner = await createJoiner(planFormats('pcm', ['pcm'], 'p'));
    expect(joiner.position()).toEqual({ samples: 0, sampleRate: 24_000 });
    expect(Buffer.concat(joiner.silence(750))).toEqual(Buffer.alloc(18_000 * 2));
    expect(joiner.position()).toEqual({ samples: 18_000, sampleRate: 24_000 });
  });
});
