/**
 * Unsigned LEB128 varints (7 bits a byte, low bits first) for integers up to 2^53 (a safe
 * integer plus one, which a double still holds exactly): the `ops` byte string of
 * instruction-set version 2. Arithmetic, not bit operations, past 31 bits, since JS bit
 * operations are 32-bit.
 */

export const MAX_VARINT = 2 ** 53;

export class VarintWriter {
  private bytes = new Uint8Array(256);
  private length = 0;

  /** Starts over, keeping the buffer unless an unusually large changeset grew it. */
  reset(): this {
    this.length = 0;
    if (this.bytes.length > 1 << 20) this.bytes = new Uint8Array(256);
    return this;
  }

  /** `value` must be an integer from 0 to 2^53 (the caller checks). */
  write(value: number): void {
    if (this.length + 8 > this.bytes.length) this.grow();
    let rest = value;
    while (rest >= 0x80) {
      this.bytes[this.length++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.bytes[this.length++] = rest;
  }

  /** The bytes written so far (a view, not a copy). */
  written(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  private grow(): void {
    const bigger = new Uint8Array(this.bytes.length * 2);
    bigger.set(this.bytes.subarray(0, this.length));
    this.bytes = bigger;
  }
}

/** Reads varints from untrusted bytes; `read` returns -1 at a truncated or oversized varint. */
export class VarintReader {
  private position = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.position >= this.bytes.length;
  }

  read(): number {
    const { bytes } = this;
    if (this.position >= bytes.length) return -1;
    const first = bytes[this.position++]!;
    if (first < 0x80) return first;
    let value = first & 0x7f;
    let scale = 0x80;
    for (let count = 1; count < 8; count++) {
      if (this.position >= bytes.length) return -1;
      const byte = bytes[this.position++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value <= MAX_VARINT ? value : -1;
      scale *= 0x80;
    }
    return -1;
  }
}
