import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { AudioError } from '../../errors.js';
import { OGG_BOS, OGG_EOS, writeOggPage } from '../ogg-page.js';
import type { SampleEncoder, SampleEncoderFactory } from '../sample-joiner.js';
import { requireS16 } from './pcm-samples.js';

const RATES = [8000, 12000, 16000, 24000, 48000];
const FRAME_MS = 20;
/** libopus looks ahead 6.5 ms: decoders skip that many samples (at 48 kHz) at the start. */
const PRE_SKIP = 312;
/** Packets per page: half a second, so a pipe gets audio steadily. */
const PACKETS_PER_PAGE = 25;
const BITRATE = 32_000;

interface OpusScriptEncoder {
  encode(pcm: Buffer, frameSize: number): Buffer;
  setBitrate(bitrate: number): void;
  delete(): void;
}

/**
 * Ogg Opus made here: raw Opus packets from libopus (opusscript, WebAssembly, MIT) in Ogg pages we
 * write ourselves: OpusHead, OpusTags, then audio pages whose last granule trims the padding.
 */
export async function loadOpusEncoder(): Promise<SampleEncoderFactory> {
  const OpusScript = createRequire(import.meta.url)('opusscript') as {
    new (rate: number, channels: number, application: number): OpusScriptEncoder;
    Application: { AUDIO: number };
  };
  return (layout): SampleEncoder => {
    requireS16(layout, 'opus');
    if (!RATES.includes(layout.sampleRate)) {
      throw new AudioError(`Opus cannot be made from ${layout.sampleRate} Hz audio here`, { hint: 'Ask for wav, flac or mp3 instead.' });
    }
    const encoder = new OpusScript(layout.sampleRate, layout.channels, OpusScript.Application.AUDIO);
    encoder.setBitrate(BITRATE);
    const frameSamples = (layout.sampleRate * FRAME_MS) / 1000;
    const frameBytes = frameSamples * 2 * layout.channels;
    const to48k = 48_000 / layout.sampleRate;
    const serial = randomBytes(4).readUInt32LE(0);
    let sequence = 0;
    let carry = Buffer.alloc(0);
    let inputSamples = 0;
    let packets: Buffer[] = [];
    let packetSamples = 0;
    let started = false;

    const page = (body: Buffer[], granule: bigint, flags: number): Buffer => {
      const segments: number[] = [];
      for (const p of body) {
        for (let left = p.length; ; left -= 255) {
          segments.push(Math.min(left, 255));
          if (left < 255) break;
        }
      }
      return writeOggPage({ flags, granule, serial, sequence: sequence++, segments, body: Buffer.concat(body) });
    };
    const headers = (): Buffer[] => {
      const head = Buffer.alloc(19);
      head.write('OpusHead', 0, 'latin1');
      head[8] = 1;
      head[9] = layout.channels;
      head.writeUInt16LE(PRE_SKIP, 10);
      head.writeUInt32LE(layout.sampleRate, 12);
      const vendor = Buffer.from('tts (libopus)', 'utf8');
      const tags = Buffer.alloc(8 + 4 + vendor.length + 4);
      tags.write('OpusTags', 0, 'latin1');
      tags.writeUInt32LE(vendor.length, 8);
      vendor.copy(tags, 12);
      return [page([head], 0n, OGG_BOS), page([tags], 0n, 0)];
    };
    const flush = (last: boolean): Buffer[] => {
      if (packets.length === 0) return [];
      const granule = last ? BigInt(PRE_SKIP + Math.round(inputSamples * to48k)) : BigInt(packetSamples);
      const out = page(packets, granule, last ? OGG_EOS : 0);
      packets = [];
      return [out];
    };
    const encode = (frame: Buffer): void => {
      packets.push(Buffer.from(encoder.encode(frame, frameSamples)));
      packetSamples += FRAME_MS * 48;
    };
    return {
      write(samples) {
        const out: Buffer[] = started ? [] : headers();
        started = true;
        inputSamples += samples.length / (2 * layout.channels);
        const data = carry.length > 0 ? Buffer.concat([carry, samples]) : Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
        let at = 0;
        for (; at + frameBytes <= data.length; at += frameBytes) {
          encode(data.subarray(at, at + frameBytes));
          if (packets.length >= PACKETS_PER_PAGE) out.push(...flush(false));
        }
        carry = Buffer.from(data.subarray(at));
        return out;
      },
      finish() {
        const out: Buffer[] = started ? [] : headers();
        started = true;
        // libopus holds back its lookahead (the pre-skip): feed that much silence so the last input
        // samples come out, pad to whole frames, and let the final granule trim the excess.
        const lookahead = Math.ceil(PRE_SKIP / to48k) * 2 * layout.channels;
        let tail = Buffer.concat([carry, Buffer.alloc(lookahead)]);
        tail = Buffer.concat([tail, Buffer.alloc((frameBytes - (tail.length % frameBytes)) % frameBytes)]);
        for (let at = 0; at < tail.length; at += frameBytes) {
          encode(tail.subarray(at, at + frameBytes));
          // The last packet always stays for the final page, which carries EOS.
          if (packets.length >= PACKETS_PER_PAGE && at + frameBytes < tail.length) out.push(...flush(false));
        }
        out.push(...flush(true));
        encoder.delete();
        return { tail: out, patches: [] };
      },
      // Opus decodes at 48 kHz; the pre-skip and the final granule trim the rest, so out comes
      // exactly the input.
      position: () => ({ samples: inputSamples * to48k, sampleRate: 48_000 }),
    };
  };
}
