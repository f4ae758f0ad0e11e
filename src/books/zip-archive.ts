import { unzipSync, type UnzipFileInfo } from 'fflate';
import { UsageError } from '../errors.js';

/** Refuses an entry that would inflate past this: no book's chapter is that large, a zip bomb is. */
const MAX_ENTRY_BYTES = 256 * 1024 * 1024;

export const DAMAGED_HINT = 'Download it again, or open it in an e-book reader to check it (Calibre can repair and convert books).';

export function damaged(label: string, detail: string, cause?: unknown): UsageError {
  return new UsageError(`${label}: the EPUB is damaged: ${detail}`, { hint: DAMAGED_HINT, cause });
}

/**
 * A zip held in memory, read one entry at a time so that only the entry being read is inflated:
 * memory follows the largest chapter, not the whole book. fflate finds entries through the central
 * directory at the end of the file, so a truncated download fails here, up front.
 */
export class ZipArchive {
  private readonly entries: Map<string, UnzipFileInfo>;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly label: string,
  ) {
    const entries = new Map<string, UnzipFileInfo>();
    try {
      unzipSync(bytes, {
        filter: (info) => {
          entries.set(info.name, info);
          return false;
        },
      });
    } catch (error) {
      throw damaged(label, 'it is not a complete zip archive (truncated, or not an EPUB at all)', error);
    }
    this.entries = entries;
  }

  has(path: string): boolean {
    return this.entries.has(path);
  }

  /** The entry's bytes, or undefined when the archive has no such entry. */
  read(path: string): Uint8Array | undefined {
    const info = this.entries.get(path);
    if (!info) return undefined;
    if (info.originalSize > MAX_ENTRY_BYTES) {
      throw damaged(this.label, `${path} claims to hold ${info.originalSize} bytes, more than any book needs`);
    }
    let found: Uint8Array | undefined;
    try {
      found = unzipSync(this.bytes, { filter: (candidate) => candidate.name === path })[path];
    } catch (error) {
      throw damaged(this.label, `${path} cannot be unpacked (${(error as Error).message})`, error);
    }
    if (!found) throw damaged(this.label, `${path} cannot be unpacked`);
    return found;
  }

  /** The entry as text: UTF-8 unless a byte-order mark says UTF-16 (both are allowed in an EPUB). */
  readText(path: string): string | undefined {
    const bytes = this.read(path);
    return bytes === undefined ? undefined : decodeMarkup(bytes);
  }
}

export function decodeMarkup(bytes: Uint8Array): string {
  const encoding =
    bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le'
    : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be'
    : 'utf-8';
  // Not fatal: one bad byte in a 300-page book should cost one character, not the book.
  return new TextDecoder(encoding).decode(bytes);
}
