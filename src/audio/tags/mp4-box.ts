/** Small builders for ISO BMFF (MP4) boxes: a size, a four-character type, then the body. */

type Part = Uint8Array | undefined;

export function box(type: string, ...parts: Part[]): Buffer {
  const body = parts.filter((p): p is Uint8Array => p !== undefined);
  const size = body.reduce((n, p) => n + p.length, 8);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(size, 0);
  // latin1 so that iTunes' '©nam' is the one byte 0xA9, as the format has it.
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, ...body]);
}

/** A box with a version byte and 24 bits of flags before its body. */
export function fullBox(type: string, version: number, flags: number, ...parts: Part[]): Buffer {
  return box(type, u32((version << 24) | flags), ...parts);
}

export function u8(...values: number[]): Buffer {
  return Buffer.from(values);
}

export function u16(...values: number[]): Buffer {
  const b = Buffer.alloc(2 * values.length);
  values.forEach((v, i) => b.writeUInt16BE(v & 0xffff, 2 * i));
  return b;
}

export function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i));
  return b;
}

export function u64(...values: number[]): Buffer {
  const b = Buffer.alloc(8 * values.length);
  values.forEach((v, i) => b.writeBigUInt64BE(BigInt(v), 8 * i));
  return b;
}

export const fourcc = (text: string): Buffer => Buffer.from(text, 'latin1');

/** 32 bits when every value fits, else 64 (the box's version 1). */
export function timeWidth(...values: number[]): { version: 0 | 1; field: (n: number) => Buffer } {
  return values.every((v) => v <= 0xffffffff) ? { version: 0, field: (n) => u32(n) } : { version: 1, field: (n) => u64(n) };
}

/** The identity matrix of tkhd and mvhd (16.16 and 2.30 fixed point). */
export const UNITY_MATRIX = u32(0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000);

/** ISO 639-2 'und' packed into 15 bits, as mdhd wants a language. */
export const LANGUAGE_UNDETERMINED = 0x55c4;
