/**
 * realm-core's integer encoding, used for every integer inside a changeset (instruction tags,
 * lengths, intern indexes, booleans, values). It is not LEB128: a negative value v is stored as
 * -(v + 1) with a sign flag, 7 bits a byte low bits first with 0x80 meaning "more", and the last
 * byte holds 6 value bits plus the sign in 0x40. So 0 → 00, 63 → 3F, 64 → C0 00, -1 → 40.
 *
 * Decimal128 coefficients use a plain unsigned variant: 7 bits a byte, 0x80 meaning "more",
 * no sign bit, at most 17 bytes (113 bits).
 */

/** An int64 needs at most ten bytes (one sign bit and 63 value bits, 7 a byte). */
export const MAX_INT_BYTES = 10;
export const MAX_BID_BYTES = 17;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function isInt64(value: bigint): boolean {
  return value >= INT64_MIN && value <= INT64_MAX;
}

/** Appends the encoding of an int64 to `out`. */
export function encodeInt(value: bigint, out: number[]): void {
  if (value >= 0n && value < 64n) {
    out.push(Number(value));
    return;
  }
  const negative = value < 0n;
  let rest = negative ? -(value + 1n) : value;
  while (rest >= 64n) {
    out.push(0x80 | Number(rest & 0x7fn));
    rest >>= 7n;
  }
  out.push(negative ? 0x40 | Number(rest) : Number(rest));
}

/** Appends a small non-negative integer (a tag, a length, an index) without BigInt arithmetic. */
export function encodeCount(value: number, out: number[]): void {
  let rest = value;
  while (rest >= 64) {
    out.push(0x80 | (rest % 0x80));
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
}

export function encodeBid(coefficient: bigint, out: number[]): void {
  let rest = coefficient;
  while (rest >= 64n) {
    out.push(0x80 | Number(rest & 0x7fn));
    rest >>= 7n;
  }
  out.push(Number(rest));
}

/**
 * Decodes one integer at `bytes[at]`. Returns the value and the position after it, or
 * undefined when the input ends inside it, it runs past ten bytes, or it leaves the int64
 * range. Non-minimal encodings (a redundant 0x80 byte) are read as realm-core reads them.
 */
export function decodeInt(
  bytes: Uint8Array,
  at: number,
): { value: bigint; next: number } | undefined {
  const first = bytes[at];
  if (first === undefined) return undefined;
  if (first < 0x40) return { value: BigInt(first), next: at + 1 };
  let magnitude = 0n;
  let position = at;
  for (let index = 0; index < MAX_INT_BYTES; index++) {
    const byte = bytes[position++];
    if (byte === undefined) return undefined;
    const shift = BigInt(7 * index);
    if ((byte & 0x80) === 0) {
      magnitude |= BigInt(byte & 0x3f) << shift;
      const value = (byte & 0x40) !== 0 ? -magnitude - 1n : magnitude;
      return isInt64(value) ? { value, next: position } : undefined;
    }
    magnitude |= BigInt(byte & 0x7f) << shift;
  }
  return undefined;
}

export function decodeBid(
  bytes: Uint8Array,
  at: number,
): { value: bigint; next: number } | undefined {
  let value = 0n;
  let position = at;
  for (let index = 0; index < MAX_BID_BYTES; index++) {
    const byte = bytes[position++];
    if (byte === undefined) return undefined;
    value |= BigInt(byte & 0x7f) << BigInt(7 * index);
    if ((byte & 0x80) === 0) return { value, next: position };
  }
  return undefined;
}
