import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { AudioError } from '../../errors.js';
import type { AudioPosition, JoinEnd } from '../joiner.js';
import { OGG_BOS, OGG_EOS, writeOggPage } from '../ogg-page.js';
import type { SampleEncoder, SampleEncoderFactory } from '../sample-joiner.js';
import type { WavLayout } from '../wav.js';
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
    return new OggOpusEncoder(encoder, layout);
  };
}

class OggOpusEncoder implements SampleEncoder {
  private readonly frameSamples: number;
  private readonly frameBytes: number;
  /** Opus packets count 48 kHz samples whatever the input rate. */
  private readonly to48k: number;
  private readonly serial = randomBytes(4).readUInt32LE(0);
  private sequence = 0;
  private carry = Buffer.alloc(0);
  private inputSamples = 0;
  private packets: Buffer[] = [];
  private packetSamples = 0;
  private started = false;

  constructor(
    private readonly encoder: OpusScriptEncoder,
    private readonly layout: WavLayout,
  ) {
    this.frameSamples = (layout.sampleRate * FRAME_MS) / 1000;
    this.frameBytes = this.frameSamples * 2 * layout.channels;
    this.to48k = 48_000 / layout.sampleRate;
  }

  write(samples: Uint8Array): Uint8Array[] {
    const out = this.headers();
    this.inputSamples += samples.length / (2 * this.layout.channels);
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, samples]) : Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
    let at = 0;
    for (; at + this.frameBytes <= data.length; at += this.frameBytes) {
      this.encode(data.subarray(at, at + this.frameBytes));
      if (this.packets.length >= PACKETS_PER_PAGE) out.push(...this.flush({ last: false }));
    }
    this.carry = Buffer.from(data.subarray(at));
    return out;
  }

  finish(): JoinEnd {
    const out = this.headers();
    // libopus holds back its lookahead (the pre-skip): feed that much silence so the last input
    // samples come out, pad to whole frames, and let the final granule trim the excess.
    const lookahead = Math.ceil(PRE_SKIP / this.to48k) * 2 * this.layout.channels;
    let tail = Buffer.concat([this.carry, Buffer.alloc(lookahead)]);
    tail = Buffer.concat([tail, Buffer.alloc((this.frameBytes - (tail.length % this.frameBytes)) % this.frameBytes)]);
    for (let at = 0; at < tail.length; at += this.frameBytes) {
      this.encode(tail.subarray(at, at + this.frameBytes));
      // The last packet always stays for the final page, which carries EOS.
      if (this.packets.length >= PACKETS_PER_PAGE && at + this.frameBytes < tail.length) out.push(...this.flush({ last: false }));
    }
    out.push(...this.flush({ last: true }));
    this.encoder.delete();
    return { tail: out, patches: [] };
  }

  /** Opus decodes at 48 kHz; the pre-skip and the final granule trim the rest, so out comes exactly the input. */
  position(): AudioPosition {
    return { samples: this.inputSamples * this.to48k, sampleRate: 48_000 };
  }

  private encode(frame: Buffer): void {
    this.packets.push(Buffer.from(this.encoder.encode(frame, this.frameSamples)));
    this.packetSamples += FRAME_MS * 48;
  }

  private flush({ last }: { last: boolean }): Buffer[] {
    if (this.packets.length === 0) return [];
    const granule = last ? BigInt(PRE_SKIP + Math.round(this.inputSamples * this.to48k)) : BigInt(this.packetSamples);
    const out = this.page(this.packets, granule, last ? OGG_EOS : 0);
    this.packets = [];
    return [out];
  }

  /** OpusHead and OpusTags, once, before anything else. */
  private headers(): Buffer[] {
    if (this.started) return [];
    this.started = true;
    const head = Buffer.alloc(19);
    head.write('OpusHead', 0, 'latin1');
    head[8] = 1;
    head[9] = this.layout.channels;
    head.writeUInt16LE(PRE_SKIP, 10);
    head.writeUInt32LE(this.layout.sampleRate, 12);
    const vendor = Buffer.from('tts (libopus)', 'utf8');
    const tags = Buffer.alloc(8 + 4 + vendor.length + 4);
    tags.write('OpusTags', 0, 'latin1');
    tags.writeUInt32LE(vendor.length, 8);
    vendor.copy(tags, 12);
    return [this.page([head], 0n, OGG_BOS), this.page([tags], 0n, 0)];
  }

  private page(body: Buffer[], granule: bigint, flags: number): Buffer {
    const segments: number[] = [];
    for (const p of body) {
      for (let left = p.length; ; left -= 255) {
        segments.push(Math.min(left, 255));
        if (left < 255) break;
      }
    }
    return writeOggPage({ flags, granule, serial: this.serial, sequence: this.sequence++, segments, body: Buffer.concat(body) });
  }
}
