/**
 * Bytes received but not yet parsed, for the streaming frame parsers: a frame may arrive cut across
 * any number of network reads. Only the unparsed tail is ever copied, so the cost stays linear.
 */
export class ByteQueue {
  /** Bytes [start, end) of `store` are queued; the room after `end` takes the next push. */
  private store: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;
  /** Bytes still to drop as they arrive: a tag longer than what has come so far. */
  private skipping = 0;

  get length(): number {
    return this.end - this.start;
  }

  /**
   * Appends into spare room, growing by doubling, so a stream fed a byte at a time costs linear
   * time. Views handed out by take() stay valid: bytes before `end` are never written again.
   */
  push(bytes: Uint8Array): void {
    let incoming = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.skipping > 0) {
      const dropped = Math.min(this.skipping, incoming.length);
      this.skipping -= dropped;
      incoming = incoming.subarray(dropped);
    }
    if (this.end + incoming.length > this.store.length) {
      const live = this.length;
      const grown = Buffer.allocUnsafe(Math.max(4096, 2 * (live + incoming.length)));
      this.store.copy(grown, 0, this.start, this.end);
      this.store = grown;
      this.start = 0;
      this.end = live;
    }
    incoming.copy(this.store, this.end);
    this.end += incoming.length;
  }

  /** Drops the next `n` bytes, including any not yet received. */
  skip(n: number): void {
    const now = Math.min(n, this.length);
    this.start += now;
    this.skipping = n - now;
  }

  /** The unparsed bytes, without consuming them. */
  view(): Buffer {
    return this.store.subarray(this.start, this.end);
  }

  /** Removes and returns the first `n` bytes (a view, not a copy). */
  take(n: number): Buffer {
    const head = this.store.subarray(this.start, Math.min(this.start + n, this.end));
    this.start += head.length;
    return head;
  }

  clear(): void {
    this.start = this.end;
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
