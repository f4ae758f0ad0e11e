import { AudioError } from '../../errors.js';
import { ByteQueue } from '../byte-queue.js';

const RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/** What an ADTS header says about the stream, which MP4 keeps once, in `esds`. */
export interface AacConfig {
  /** MPEG-4 audio object type: the ADTS profile + 1 (2 = AAC LC). */
  objectType: number;
  rateIndex: number;
  sampleRate: number;
  channels: number;
}

/** Samples per channel in one AAC frame (a raw data block). */
export const AAC_FRAME_SAMPLES = 1024;

/**
 * The AudioSpecificConfig (ISO 14496-3 §1.6.2.1) for `esds`: object type, rate index and channel
 * configuration, then GASpecificConfig with 1024-sample frames, no core coder, no extension.
 */
export function audioSpecificConfig(c: AacConfig): Buffer {
  const bits = (c.objectType << 11) | (c.rateIndex << 7) | (c.channels << 3);
  return Buffer.from([bits >> 8, bits & 0xff]);
}

/**
 * Turns ADTS, cut anywhere, into raw AAC frames for MP4 (which keeps the header's facts once, in
 * `esds`): each frame's 7- or 9-byte header is dropped, and every frame must say what the first
 * said. Frames holding several raw data blocks, or a channel layout given in-band (configuration
 * 0), cannot be remuxed without parsing the bitstream, and are refused.
 */
export class AdtsFrames {
  private readonly queue = new ByteQueue();
  config: AacConfig | undefined;

  push(bytes: Uint8Array): Buffer[] {
    this.queue.push(bytes);
    const out: Buffer[] = [];
    for (;;) {
      const b = this.queue.view();
      if (b.length < 7) break;
      if (b[0] !== 0xff || (b[1]! & 0xf6) !== 0xf0) throw new AudioError('the AAC audio is not ADTS where a frame should start');
      const frameBytes = ((b[3]! & 0x03) << 11) | (b[4]! << 3) | (b[5]! >> 5);
      const headerBytes = (b[1]! & 1) === 1 ? 7 : 9;
      if (frameBytes <= headerBytes) throw new AudioError('an ADTS frame is shorter than its own header');
      if (b.length < frameBytes) break;
      this.check(b);
      out.push(this.queue.take(frameBytes).subarray(headerBytes));
    }
    return out;
  }

  /** The stream is complete: a partial frame left over is an error. */
  end(): void {
    if (this.queue.length > 0) throw new AudioError('the AAC audio ends inside an ADTS frame');
  }

  private check(b: Buffer): void {
    const config: AacConfig = {
      objectType: (b[2]! >> 6) + 1,
      rateIndex: (b[2]! >> 2) & 0x0f,
      sampleRate: RATES[(b[2]! >> 2) & 0x0f] ?? 0,
      channels: ((b[2]! & 1) << 2) | (b[3]! >> 6),
    };
    if (config.sampleRate === 0) throw new AudioError('an ADTS frame names no valid sample rate');
    if (config.channels === 0) throw new AudioError('the AAC audio describes its channels in-band (configuration 0), which cannot be put in MP4 here');
    if ((b[6]! & 3) !== 0) throw new AudioError('an ADTS frame holds several AAC blocks, which cannot be put in MP4 here');
    const first = (this.config ??= config);
    if (first.objectType !== config.objectType || first.rateIndex !== config.rateIndex || first.channels !== config.channels) {
      throw new AudioError(
        `the AAC audio changes from ${first.sampleRate} Hz, ${first.channels} channel(s) to ${config.sampleRate} Hz, ${config.channels} channel(s); one MP4 track cannot hold both`,
      );
    }
  }
}
