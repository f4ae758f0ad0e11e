import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { UsageError } from '../errors.js';
import { cannotRead } from '../input/read-text.js';

/** Refuses an entry that would inflate past this: no book's chapter is that large, a zip bomb is. */
const MAX_ENTRY_BYTES = 256 * 1024 * 1024;

export const DAMAGED_HINT = 'Download it again, or open it in an e-book reader to check it (Calibre can repair and convert books).';

export function damaged(label: string, detail: string, cause?: unknown): UsageError {
  return new UsageError(`${label}: the EPUB is damaged: ${detail}`, { hint: DAMAGED_HINT, cause });
}

/**
 * A zip read entry by entry through its central directory: from a file, only the entries asked for
 * are read and inflated (by zlib), so memory follows the book's text, not its pictures and fonts.
 * A truncated download has no central directory and fails up front.
 */
export class ZipArchive {
  private constructor(
    private readonly zip: ZipFile,
    private readonly entries: Map<string, Entry>,
    private readonly label: string,
  ) {}

  /** Opens a zip from its path or bytes; `label` names it in messages. */
  static async open(source: string | Uint8Array, label: string): Promise<ZipArchive> {
    let zip: ZipFile;
    try {
      zip =
        typeof source === 'string' ?
          await yauzl.openPromise(source, { autoClose: false })
        : await yauzl.fromBufferPromise(Buffer.from(source.buffer, source.byteOffset, source.byteLength), { autoClose: false });
    } catch (error) {
      if (typeof source === 'string' && (error as NodeJS.ErrnoException).code !== undefined) throw cannotRead(source, error);
      throw damaged(label, 'it is not a complete zip archive (truncated, or not an EPUB at all)', error);
    }
    const entries = new Map<string, Entry>();
    try {
      for await (const entry of zip.eachEntry()) entries.set(entry.fileName, entry);
    } catch (error) {
      zip.close();
      throw damaged(label, `its table of contents cannot be read (${(error as Error).message})`, error);
    }
    return new ZipArchive(zip, entries, label);
  }

  has(path: string): boolean {
    return this.entries.has(path);
  }

  /** The entry's bytes, or undefined when the archive has no such entry. */
  async read(path: string): Promise<Uint8Array | undefined> {
    const entry = this.entries.get(path);
    if (!entry) return undefined;
    if (entry.uncompressedSize > MAX_ENTRY_BYTES) {
      throw damaged(this.label, `${path} claims to hold ${entry.uncompressedSize} bytes, more than any book needs`);
    }
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of await this.zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    } catch (error) {
      throw damaged(this.label, `${path} cannot be unpacked (${(error as Error).message})`, error);
    }
  }

  /** The entry as text: UTF-8 unless a byte-order mark says UTF-16 (both are allowed in an EPUB). */
  async readText(path: string): Promise<string | undefined> {
    const bytes = await this.read(path);
    return bytes === undefined ? undefined : decodeMarkup(bytes);
  }

  close(): void {
    this.zip.close();
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
