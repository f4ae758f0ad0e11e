/** What one MPEG audio frame header says. */
export interface Mp3FrameHeader {
  /** 1 = MPEG-1, 2 = MPEG-2, 2.5 = MPEG-2.5. */
  version: 1 | 2 | 2.5;
  layer: 1 | 2 | 3;
  bitrateKbps: number;
  sampleRate: number;
  channels: 1 | 2;
  padding: boolean;
  crc: boolean;
  frameBytes: number;
  samples: number;
}

const BITRATES: Record<string, number[]> = {
  // [version-group][layer]: index 1..14 (0 = free format, 15 = bad; neither is accepted).
  '1-1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  '2-3': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const SAMPLE_RATES: Record<number, number[]> = { 1: [44100, 48000, 32000], 2: [22050, 24000, 16000], 2.5: [11025, 12000, 8000] };

/** Parses the 4-byte header at `at`; undefined when it is not a usable frame header. */
export function parseMp3Header(b: Uint8Array, at = 0): Mp3FrameHeader | undefined {
  if (at + 4 > b.length) return undefined;
  const b1 = b[at + 1]!;
  const b2 = b[at + 2]!;
  const b3 = b[at + 3]!;
  if (b[at] !== 0xff || (b1 & 0xe0) !== 0xe0) return undefined;
  const versionBits = (b1 >> 3) & 3;
  const layerBits = (b1 >> 1) & 3;
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if (versionBits === 1 || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return undefined;
  const version = versionBits === 3 ? 1 : versionBits === 2 ? 2 : 2.5;
  const layer = (4 - layerBits) as 1 | 2 | 3;
  const bitrateKbps = BITRATES[`${version === 1 ? 1 : 2}-${layer}`]![bitrateIndex]!;
  const sampleRate = SAMPLE_RATES[version]![rateIndex]!;
  const padding = ((b2 >> 1) & 1) === 1;
  const samples = layer === 1 ? 384 : layer === 2 || version === 1 ? 1152 : 576;
  const frameBytes =
    layer === 1 ? (Math.floor((12 * bitrateKbps * 1000) / sampleRate) + (padding ? 1 : 0)) * 4
    : Math.floor(((samples / 8) * bitrateKbps * 1000) / sampleRate) + (padding ? 1 : 0);
  return { version, layer, bitrateKbps, sampleRate, channels: b3 >> 6 === 3 ? 1 : 2, padding, crc: (b1 & 1) === 0, frameBytes, samples };
}

/** Where a Xing/Info tag sits in a layer III frame: after the header, the CRC and the side info. */
export function xingOffset(h: Mp3FrameHeader): number {
  const sideInfo = h.version === 1 ? (h.channels === 1 ? 17 : 32) : h.channels === 1 ? 9 : 17;
  return 4 + (h.crc ? 2 : 0) + sideInfo;
}

/** Whether a frame is an encoder's metadata frame (Xing, Info or VBRI) rather than audio. */
export function isTagFrame(frame: Uint8Array, h: Mp3FrameHeader): boolean {
  if (h.layer !== 3) return false;
  const at = xingOffset(h);
  const tag = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  const xing = tag.toString('latin1', at, at + 4);
  return xing === 'Xing' || xing === 'Info' || tag.toString('latin1', 36, 40) === 'VBRI';
}

/** The 4 header bytes for `h` (no CRC): the inverse of parseMp3Header. */
export function mp3HeaderBytes(h: Mp3FrameHeader): number[] {
  const versionBits = h.version === 1 ? 3 : h.version === 2 ? 2 : 0;
  const bitrateIndex = BITRATES[`${h.version === 1 ? 1 : 2}-${h.layer}`]!.indexOf(h.bitrateKbps);
  const rateIndex = SAMPLE_RATES[h.version]!.indexOf(h.sampleRate);
  const second = 0xe0 | (versionBits << 3) | ((4 - h.layer) << 1) | (h.crc ? 0 : 1);
  return [0xff, second, (bitrateIndex << 4) | (rateIndex << 2) | (h.padding ? 2 : 0), h.channels === 1 ? 0xc0 : 0x00];
}
