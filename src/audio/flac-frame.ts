/** FLAC frame headers (no length field: a frame ends where the next valid header begins). */

const CRC8 = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let j = 0; j < 8; j++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
    t[i] = c;
  }
  return t;
})();

const CRC16 = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let j = 0; j < 8; j++) c = c & 0x8000 ? ((c << 1) ^ 0x8005) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

export function crc8(b: Uint8Array, start: number, end: number): number {
  let c = 0;
  for (let i = start; i < end; i++) c = CRC8[c ^ b[i]!]!;
  return c;
}

export function crc16(b: Uint8Array, start: number, end: number, initial = 0): number {
  let c = initial;
  for (let i = start; i < end; i++) c = ((c << 8) ^ CRC16[(c >> 8) ^ b[i]!]!) & 0xffff;
  return c;
}

export interface FlacFrameHeader {
  /** Bytes of the header, CRC-8 included. */
  length: number;
  blockSize: number;
  /** Byte 2 and 3 of the header (block size and rate codes, channels, sample size), kept as they are. */
  codes: [number, number];
  /** The tail of the header after the coded number: explicit block size and rate bytes. */
  extra: Buffer;
}

/** Parses a frame header at `at` and checks its CRC-8; undefined if it is not one (or incomplete). */
export function parseFlacFrameHeader(b: Buffer, at: number): FlacFrameHeader | undefined {
  if (at + 6 > b.length || b[at] !== 0xff || (b[at + 1]! & 0xfe) !== 0xf8) return undefined;
  const b2 = b[at + 2]!;
  const b3 = b[at + 3]!;
  const sizeCode = b2 >> 4;
  const rateCode = b2 & 0x0f;
  if (sizeCode === 0 || rateCode === 15 || (b3 >> 4) > 10 || ((b3 >> 1) & 7) === 3 || ((b3 >> 1) & 7) === 7) return undefined;
  // The frame or sample number, coded like UTF-8 (up to 7 bytes).
  const lead = b[at + 4]!;
  const numberBytes = lead < 0x80 ? 1 : lead >= 0xc0 && lead < 0xe0 ? 2 : lead >= 0xe0 && lead < 0xf0 ? 3 : lead >= 0xf0 && lead < 0xf8 ? 4 : lead >= 0xf8 && lead < 0xfc ? 5 : lead >= 0xfc && lead < 0xfe ? 6 : lead === 0xfe ? 7 : 0;
  if (numberBytes === 0) return undefined;
  let pos = at + 4 + numberBytes;
  const extraStart = pos;
  let blockSize: number;
  if (sizeCode === 1) blockSize = 192;
  else if (sizeCode <= 5) blockSize = 576 << (sizeCode - 2);
  else if (sizeCode === 6) blockSize = (b[pos++] ?? 0) + 1;
  else if (sizeCode === 7) {
    blockSize = (((b[pos] ?? 0) << 8) | (b[pos + 1] ?? 0)) + 1;
    pos += 2;
  } else blockSize = 256 << (sizeCode - 8);
  if (rateCode === 12) pos += 1;
  else if (rateCode === 13 || rateCode === 14) pos += 2;
  if (pos + 1 > b.length) return undefined;
  if (crc8(b, at, pos) !== b[pos]) return undefined;
  return { length: pos + 1 - at, blockSize, codes: [b2, b3], extra: Buffer.from(b.subarray(extraStart, pos)) };
}

const UTF8_MARKS = [0, 0, 0xc0, 0xe0, 0xf0, 0xf8, 0xfc, 0xfe];

/** A sample number coded the UTF-8 way FLAC uses (up to 36 bits in 7 bytes). */
export function utf8Number(n: number): number[] {
  if (n < 0x80) return [n];
  // 2 bytes hold 11 bits, 3 hold 16, 4 hold 21, 5 hold 26, 6 hold 31, 7 hold 36.
  const total = n < 2 ** 11 ? 2 : n < 2 ** 16 ? 3 : n < 2 ** 21 ? 4 : n < 2 ** 26 ? 5 : n < 2 ** 31 ? 6 : 7;
  const bytes: number[] = [];
  let rest = n;
  for (let i = total - 1; i > 0; i--) {
    bytes.unshift(0x80 | (rest % 64));
    rest = Math.floor(rest / 64);
  }
  bytes.unshift(UTF8_MARKS[total]! | rest);
  return bytes;
}
