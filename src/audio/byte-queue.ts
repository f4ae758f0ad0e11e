/**
 * Bytes received but not yet parsed, for the streaming frame parsers: a frame may arrive cut across
 * any number of network reads. Only the unparsed tail is ever copied, so the cost stays linear.
 */
export class ByteQueue {
  private bytes: Buffer = Buffer.alloc(0);
  /** Bytes still to drop as they arrive: a tag longer than what has come so far. */
  private skipping = 0;

  get length(): number {
    return this.bytes.length;
  }

  push(bytes: Uint8Array): void {
    let incoming = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.skipping > 0) {
      const dropped = Math.min(this.skipping, incoming.length);
      this.skipping -= dropped;
      incoming = incoming.subarray(dropped);
    }
    this.bytes = this.bytes.length === 0 ? incoming : Buffer.concat([this.bytes, incoming]);
  }

  /** Drops the next `n` bytes, including any not yet received. */
  skip(n: number): void {
    const now = Math.min(n, this.bytes.length);
    this.bytes = this.bytes.subarray(now);
    this.skipping = n - now;
  }


  /** The unparsed bytes, without consuming them. */
  view(): Buffer {
    return this.bytes;
  }

  /** Removes and returns the first `n` bytes (a view, not a copy). */
  take(n: number): Buffer {
    const head = this.bytes.subarray(0, n);
    this.bytes = this.bytes.subarray(n);
    return head;
  }

  clear(): void {
    this.bytes = Buffer.alloc(0);
    this.skipping = 0;
  }
}

/** The size of an ID3v2 tag starting at `at` (header, body and footer), or undefined if there is none. */
export function id3v2Size(bytes: Buffer, at = 0): number | undefined {
  if (bytes.length < at + 10 || bytes.toString('latin1', at, at + 3) !== 'ID3') return undefined;
  const syncsafe = ((bytes[at + 6]! & 0x7f) << 21) | ((bytes[at + 7]! & 0x7f) << 14) | ((bytes[at + 8]! & 0x7f) << 7) | (bytes[at + 9]! & 0x7f);
  const footer = (bytes[at + 5]! & 0x10) !== 0 ? 10 : 0;
  return 10 + syncsafe + footer;
}
