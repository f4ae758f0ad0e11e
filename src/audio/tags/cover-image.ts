import { AudioError } from '../../errors.js';

/** A cover picture every container here can carry: JPEG or PNG, with what its header says. */
export interface CoverImage {
  mime: 'image/jpeg' | 'image/png';
  data: Uint8Array;
  /** Pixels and bits per pixel; 0 where the header does not say (FLAC's picture block wants them). */
  width: number;
  height: number;
  depth: number;
}

/**
 * Reads a cover's kind and size from its bytes, not from a name or a declared type (EPUB manifests
 * get media types wrong). MP4's `covr` takes only JPEG, PNG and BMP, so anything else is refused
 * here, once, for every format.
 */
export function coverImage(data: Uint8Array): CoverImage {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const kind = coverKind(data);
  if (kind === 'image/png') {
    const bitDepth = b[24] ?? 8;
    const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[b[25] ?? 2] ?? 3;
    return { mime: 'image/png', data, width: b.readUInt32BE(16), height: b.readUInt32BE(20), depth: bitDepth * channels };
  }
  if (kind === 'image/jpeg') return { mime: 'image/jpeg', data, ...jpegSize(b) };
  throw new AudioError('the cover is neither a JPEG nor a PNG image, so it cannot be embedded', {
    hint: 'Convert the cover to JPEG or PNG, or leave it out.',
  });
}

/** What a picture is by its first bytes, if it is one every container here can carry. */
export function coverKind(data: Uint8Array): CoverImage['mime'] | undefined {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.toString('latin1', 12, 16) === 'IHDR') return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  return undefined;
}

/** Walks the JPEG markers to the first start-of-frame, which holds the size. */
function jpegSize(b: Buffer): { width: number; height: number; depth: number } {
  let at = 2;
  while (at + 9 < b.length && b[at] === 0xff) {
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at++;
      continue;
    }
    // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: b.readUInt16BE(at + 5), width: b.readUInt16BE(at + 7), depth: b[at + 4]! * b[at + 9]! };
    }
    at += 2 + b.readUInt16BE(at + 2);
  }
  return { width: 0, height: 0, depth: 0 };
}
