/** One Ogg page (RFC 3533). */
export interface OggPage {
  flags: number;
  granule: bigint;
  serial: number;
  sequence: number;
  /** Lacing values: a packet ends at a value below 255. */
  segments: number[];
  body: Buffer;
}

export const OGG_CONTINUED = 1;
export const OGG_BOS = 2;
export const OGG_EOS = 4;
export const NO_GRANULE = 0xffffffffffffffffn;

/** The full page length at the head of `b`, undefined while its header is incomplete. */
export function oggPageLength(b: Buffer): number | undefined {
  if (b.length < 27) return undefined;
  const count = b[26]!;
  if (b.length < 27 + count) return undefined;
  let body = 0;
  for (let i = 0; i < count; i++) body += b[27 + i]!;
  return 27 + count + body;
}

export function parseOggPage(b: Buffer): OggPage {
  const count = b[26]!;
  const segments = [...b.subarray(27, 27 + count)];
  return {
    flags: b[5]!,
    granule: b.readBigUInt64LE(6),
    serial: b.readUInt32LE(14),
    sequence: b.readUInt32LE(18),
    segments,
    body: b.subarray(27 + count, 27 + count + segments.reduce((a, n) => a + n, 0)),
  };
}

export function writeOggPage(page: OggPage): Buffer {
  const header = Buffer.alloc(27 + page.segments.length);
  header.write('OggS', 0, 'latin1');
  header[4] = 0;
  header[5] = page.flags;
  header.writeBigUInt64LE(page.granule, 6);
  header.writeUInt32LE(page.serial, 14);
  header.writeUInt32LE(page.sequence, 18);
  header[26] = page.segments.length;
  header.set(page.segments, 27);
  const out = Buffer.concat([header, page.body]);
  out.writeUInt32LE(oggCrc(out), 22);
  return out;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

/** Ogg's CRC-32: polynomial 0x04C11DB7, not reflected, over the page with its CRC field zeroed. */
export function oggCrc(page: Buffer): number {
  let crc = 0;
  for (let i = 0; i < page.length; i++) {
    const byte = i >= 22 && i < 26 ? 0 : page[i]!;
    crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  }
  return crc;
}

/** The packets that end on this page, each as [start, end) in its body; a trailing open one is left out. */
export function completedPackets(page: OggPage): { start: number; end: number }[] {
  const packets: { start: number; end: number }[] = [];
  let start = 0;
  let at = 0;
  for (const lace of page.segments) {
    at += lace;
    if (lace < 255) {
      packets.push({ start, end: at });
      start = at;
    }
  }
  return packets;
}
