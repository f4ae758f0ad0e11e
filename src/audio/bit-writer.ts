/** Writes values most significant bit first, as MPEG and FLAC bitstreams are laid out. */
export class BitWriter {
  private readonly out: number[] = [];
  private current = 0;
  private filled = 0;

  /** The low `width` bits of `value` (width up to 32). */
  write(value: number, width: number): this {
    for (let bit = width - 1; bit >= 0; bit--) {
      this.current = (this.current << 1) | ((value >>> bit) & 1);
      if (++this.filled === 8) {
        this.out.push(this.current);
        this.current = 0;
        this.filled = 0;
      }
    }
    return this;
  }

  /** The bytes written, the last one padded with zero bits. */
  bytes(): Buffer {
    const tail = this.filled > 0 ? [this.current << (8 - this.filled)] : [];
    return Buffer.from([...this.out, ...tail]);
  }
}
