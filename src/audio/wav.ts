import { AudioError } from '../errors.js';
import type { PcmLayout } from './formats.js';

export interface WavLayout extends PcmLayout {
  /** 1 = integer PCM, 3 = IEEE float (EXTENSIBLE resolved to its sub-format). */
  formatTag: number;
}

const STREAMING_SIZE = 0xffffffff;
const MAX_HEADER_BYTES = 1 << 20;

/**
 * Reads one WAV stream as it arrives and hands out its samples. Walks the RIFF chunks (odd sizes are
 * padded), resolves WAVE_FORMAT_EXTENSIBLE, and takes a data size of 0xFFFFFFFF, 0 or past the end
 * as "the rest of the stream", which is how servers stream WAV before they know its length.
 */
export class WavReader {
  layout: WavLayout | undefined;
  private header: Buffer | undefined = Buffer.alloc(0);
  /** Sample bytes still expected in the data chunk; Infinity when the size is unknown. */
  private remaining = 0;

  constructor(private readonly label: string) {}

  push(bytes: Uint8Array): Uint8Array[] {
    if (this.header === undefined) return this.samples(bytes);
    this.header = Buffer.concat([this.header, bytes]);
    const parsed = parseHeader(this.header, this.label);
    if (parsed === undefined) {
      if (this.header.length > MAX_HEADER_BYTES) throw new AudioError(`${this.label}: no WAV data chunk in the first MiB`);
      return [];
    }
    const rest = this.header.subarray(parsed.dataOffset);
    this.header = undefined;
    this.layout = parsed.layout;
    this.remaining = parsed.dataSize === STREAMING_SIZE || parsed.dataSize === 0 ? Infinity : parsed.dataSize;
    return this.samples(rest);
  }

  end(): void {
    if (this.header !== undefined) throw new AudioError(`${this.label}: the WAV stream ended inside its header`);
  }

  private samples(bytes: Uint8Array): Uint8Array[] {
    if (this.remaining === 0 || bytes.length === 0) return [];
    const take = Math.min(bytes.length, this.remaining);
    this.remaining -= take;
    return [take === bytes.length ? bytes : bytes.subarray(0, take)];
  }
}

function parseHeader(buf: Buffer, label: string): { layout: WavLayout; dataOffset: number; dataSize: number } | undefined {
  if (buf.length < 12) return undefined;
  const riff = buf.toString('latin1', 0, 4);
  if ((riff !== 'RIFF' && riff !== 'RF64') || buf.toString('latin1', 8, 12) !== 'WAVE') {
    throw new AudioError(`${label} is not a WAV file (no RIFF/WAVE header)`);
  }
  let layout: WavLayout | undefined;
  let rf64DataSize: number | undefined;
  let offset = 12;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('latin1', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'data') {
      if (!layout) throw new AudioError(`${label}: WAV data comes before its fmt chunk`);
      const dataSize = riff === 'RF64' && size === STREAMING_SIZE && rf64DataSize !== undefined ? rf64DataSize : size;
      return { layout, dataOffset: body, dataSize };
    }
    if (body + size + (size & 1) > buf.length) return undefined;
    if (id === 'fmt ') layout = parseFmt(buf.subarray(body, body + size), label);
    if (id === 'ds64' && size >= 16) rf64DataSize = Number(buf.readBigUInt64LE(body + 8));
    offset = body + size + (size & 1);
  }
  return undefined;
}

function parseFmt(fmt: Buffer, label: string): WavLayout {
  if (fmt.length < 16) throw new AudioError(`${label}: WAV fmt chunk is too short`);
  let formatTag = fmt.readUInt16LE(0);
  // WAVE_FORMAT_EXTENSIBLE keeps the real format in the first two bytes of its sub-format GUID.
  if (formatTag === 0xfffe && fmt.length >= 26) formatTag = fmt.readUInt16LE(24);
  const layout = {
    formatTag,
    channels: fmt.readUInt16LE(2),
    sampleRate: fmt.readUInt32LE(4),
    bitsPerSample: fmt.readUInt16LE(14),
  };
  if ((formatTag !== 1 && formatTag !== 3) || layout.channels === 0 || layout.sampleRate === 0) {
    throw new AudioError(`${label}: unsupported WAV encoding (format ${formatTag}, ${layout.channels} channels)`);
  }
  return layout;
}

/** A 44-byte canonical header; `dataBytes` undefined writes the streaming sizes (0xFFFFFFFF). */
export function wavHeader(layout: WavLayout, dataBytes: number | undefined): Buffer {
  const header = Buffer.alloc(44);
  const blockAlign = layout.channels * Math.ceil(layout.bitsPerSample / 8);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(wavRiffSize(dataBytes), 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(layout.formatTag, 20);
  header.writeUInt16LE(layout.channels, 22);
  header.writeUInt32LE(layout.sampleRate, 24);
  header.writeUInt32LE(layout.sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(layout.bitsPerSample, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(wavDataSize(dataBytes), 40);
  return header;
}

const fits = (n: number | undefined): n is number => n !== undefined && n + 36 <= 0xfffffffe;
const wavRiffSize = (dataBytes: number | undefined): number => (fits(dataBytes) ? dataBytes + 36 : STREAMING_SIZE);
const wavDataSize = (dataBytes: number | undefined): number => (fits(dataBytes) ? dataBytes : STREAMING_SIZE);

/** The two size fields to patch once the length is known (left streaming past 4 GiB). */
export function wavSizePatches(dataBytes: number): { offset: number; bytes: Uint8Array }[] {
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  return [
    { offset: 4, bytes: u32(wavRiffSize(dataBytes)) },
    { offset: 40, bytes: u32(wavDataSize(dataBytes)) },
  ];
}
