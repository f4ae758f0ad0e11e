import type { AudioFormat } from './formats.js';

/** What the first bytes of a response look like, whatever its Content-Type says. */
export type Sniffed =
  | { kind: 'audio'; container: 'mp3' | 'ogg' | 'aac' | 'flac' | 'wav' | 'mp4' }
  | { kind: 'text'; what: 'html' | 'json' | 'sse' | 'text' }
  | { kind: 'unknown' };

const ascii = (bytes: Uint8Array, start: number, end: number): string =>
  String.fromCharCode(...bytes.subarray(start, end));

/** How many leading bytes `sniff` wants to decide; fewer is fine at the end of a short body. */
export const SNIFF_BYTES = 64;

export function sniff(bytes: Uint8Array): Sniffed {
  if (bytes.length >= 4) {
    const tag4 = ascii(bytes, 0, 4);
    if (tag4 === 'RIFF' || tag4 === 'RF64') return { kind: 'audio', container: 'wav' };
    if (tag4 === 'OggS') return { kind: 'audio', container: 'ogg' };
    if (tag4 === 'fLaC') return { kind: 'audio', container: 'flac' };
  }
  if (bytes.length >= 8 && ascii(bytes, 4, 8) === 'ftyp') return { kind: 'audio', container: 'mp4' };
  if (bytes.length >= 3 && ascii(bytes, 0, 3) === 'ID3') return { kind: 'audio', container: 'mp3' };
  if (isAdtsHeader(bytes)) return { kind: 'audio', container: 'aac' };
  if (isMp3Header(bytes)) return { kind: 'audio', container: 'mp3' };
  return sniffText(bytes);
}

/*
 * A frame header is checked field by field, not by its sync bits alone: raw pcm whose first samples
 * are -1 (dithered silence) starts FF FF, and was taken for mp3 before.
 */

/** ADTS: sync 0xFFF, layer 00, a real sampling rate, and a frame at least as long as its header. */
function isAdtsHeader(b: Uint8Array): boolean {
  if (b.length < 7 || b[0] !== 0xff || (b[1]! & 0xf6) !== 0xf0) return false;
  const rateIndex = (b[2]! >> 2) & 0x0f;
  const frameLength = ((b[3]! & 0x03) << 11) | (b[4]! << 3) | (b[5]! >> 5);
  return rateIndex < 13 && frameLength >= 7;
}

/**
 * MPEG audio as speech servers send it: Layer III, a version that exists, a bitrate from the table
 * (not free, not the forbidden 1111), a sampling rate that exists, and no reserved emphasis.
 */
function isMp3Header(b: Uint8Array): boolean {
  if (b.length < 4 || b[0] !== 0xff || (b[1]! & 0xe0) !== 0xe0) return false;
  const version = (b[1]! >> 3) & 0x03;
  const layer = (b[1]! >> 1) & 0x03;
  const bitrate = b[2]! >> 4;
  const rate = (b[2]! >> 2) & 0x03;
  const emphasis = b[3]! & 0x03;
  return version !== 1 && layer === 1 && bitrate !== 0 && bitrate !== 15 && rate !== 3 && emphasis !== 2;
}

/**
 * Text only counts as text when the whole head is printable UTF-8: raw pcm starts with arbitrary
 * bytes, and one of them being `{` or `<` must not make audio look like JSON or HTML.
 */
function sniffText(bytes: Uint8Array): Sniffed {
  let head: string;
  try {
    head = new TextDecoder('utf-8', { fatal: true }).decode(trimPartialUtf8(bytes.subarray(0, SNIFF_BYTES)));
  } catch {
    return { kind: 'unknown' };
  }
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(head)) return { kind: 'unknown' };
  head = head.replace(/^\uFEFF/, '').trimStart();
  if (head === '') return { kind: 'unknown' };
  const lower = head.toLowerCase();
  if (/^<(!doctype html|html|head|body|\?xml)/.test(lower)) return { kind: 'text', what: 'html' };
  if (/^(\{\s*("|\})|\[\s*[{["\d\]])/.test(head)) return { kind: 'text', what: 'json' };
  if (/^(data|event|id|retry):/.test(head) || head.startsWith(':')) return { kind: 'text', what: 'sse' };
  return { kind: 'text', what: 'text' };
}

/** Drops a UTF-8 sequence cut off at the end of the sniffed window, so it is not taken for binary. */
function trimPartialUtf8(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const b = bytes[end - back]!;
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    if (need > back) end -= back;
    break;
  }
  return bytes.subarray(0, end);
}

/** Which container a correct response in `format` starts with; pcm has none to check. */
export function expectedContainer(format: AudioFormat): string | undefined {
  switch (format) {
    case 'mp3':
      return 'mp3';
    case 'opus':
      return 'ogg';
    case 'aac':
      return 'aac';
    case 'flac':
      return 'flac';
    case 'wav':
      return 'wav';
    case 'pcm':
      return undefined;
  }
}
