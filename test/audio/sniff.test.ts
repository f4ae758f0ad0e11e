import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { sniff } from '../../src/audio/sniff.js';
import { encodeTone, requireTool } from '../helpers/audio-tools.js';

const dir = mkdtempSync(join(tmpdir(), 'tts-sniff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('what the first bytes of an answer are', () => {
  test('real mp3 and ADTS frames are known by their headers, without an ID3 tag', () => {
    requireTool('ffmpeg');
    const mp3 = encodeTone(dir, 'mp3', 0.5, 440);
    const bare = mp3.subarray(mp3.indexOf(Buffer.from([0xff])));
    expect(sniff(bare)).toEqual({ kind: 'audio', container: 'mp3' });
    expect(sniff(encodeTone(dir, 'aac', 0.5, 440))).toEqual({ kind: 'audio', container: 'aac' });
  });

  test('raw pcm of dithered silence (samples of -1, 0 and 1) is not taken for mp3 or aac', () => {
    for (const samples of [[-1, -1, -1, -1], [-1, 0, -1, 1], [-1, 1, 0, -1]]) {
      const pcm = Buffer.alloc(64);
      samples.forEach((v, i) => pcm.writeInt16LE(v, 2 * i));
      expect(sniff(pcm).kind).not.toBe('audio');
    }
  });

  test('containers by their magic', () => {
    expect(sniff(Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'))).toEqual({ kind: 'audio', container: 'wav' });
    expect(sniff(Buffer.from('OggS\x00\x02', 'latin1'))).toEqual({ kind: 'audio', container: 'ogg' });
    expect(sniff(Buffer.from('{"error": {}}'))).toEqual({ kind: 'text', what: 'json' });
  });
});
