/**
 * Values between realm-core's payloads and Atoll's instruction values (BSON values).
 *
 * Two differences need care. A realm-core Timestamp has nanoseconds and Atoll's Date has
 * milliseconds, so sub-millisecond digits are dropped on the way in. A JS number is a Double
 * unless the column is a Float, which only the schema knows, so the way out takes that answer
 * from the caller.
 */
import { ChangesetFormatError, type InstructionValue, type PrimaryKey } from "@atoll/protocol";
import { Binary, Decimal128, Long, ObjectId, UUID } from "bson";
import type { RealmPayload, RealmPrimaryKey } from "../changeset/realmInstructions.js";

const DECIMAL_EXPONENT_BIAS = 6176;
const MASK_64 = (1n << 64n) - 1n;
const MASK_COEFFICIENT_HIGH = (1n << 49n) - 1n;
/** The largest instant a JS Date holds, in milliseconds either side of the epoch. */
const MAX_DATE_MS = 8.64e15;

export function primaryKeyToAtoll(pk: RealmPrimaryKey): PrimaryKey {
  switch (pk.type) {
    case "Null":
      return null;
    case "Int":
      return Long.fromBigInt(pk.value);
    case "String":
      return pk.value;
    case "ObjectId":
      return new ObjectId(Buffer.from(pk.bytes));
    case "UUID":
      return new UUID(Buffer.from(pk.bytes));
    case "GlobalKey":
      throw new ChangesetFormatError(
        "Objects without a primary key (GlobalKey) belong to partition-based sync, which Atoll does not serve",
      );
  }
}

export function primaryKeyFromAtoll(pk: PrimaryKey): RealmPrimaryKey {
  if (pk === null) return { type: "Null" };
  if (typeof pk === "string") return { type: "String", value: pk };
  if (pk instanceof Long) return { type: "Int", value: pk.toBigInt() };
  if (pk instanceof ObjectId) return { type: "ObjectId", bytes: Uint8Array.from(pk.id) };
  return { type: "UUID", bytes: Uint8Array.from(pk.buffer) };
}

export function payloadToAtoll(payload: RealmPayload): InstructionValue {
  switch (payload.type) {
    case "Null":
      return null;
    case "Int":
      return Long.fromBigInt(payload.value);
    case "Bool":
    case "String":
    case "Float":
    case "Double":
      return payload.value;
    case "Binary":
      return new Binary(payload.bytes);
    case "Timestamp": {
      const ms = Number(payload.seconds) * 1000 + Math.trunc(payload.nanoseconds / 1e6);
      if (!(Math.abs(ms) <= MAX_DATE_MS)) {
        throw new ChangesetFormatError(`Timestamp ${payload.seconds}s is out of a date's range`);
      }
      return new Date(ms);
    }
    case "Decimal":
      return new Decimal128(Buffer.from(packDecimal(payload)));
    case "Link":
      return { $link: { table: payload.table, pk: primaryKeyToAtoll(payload.pk) } };
    case "ObjectId":
      return new ObjectId(Buffer.from(payload.bytes));
    case "UUID":
      return new UUID(Buffer.from(payload.bytes));
    case "ObjectValue":
      return { $object: true };
    case "Erased":
      throw new ChangesetFormatError("An erased dictionary value is only meaningful in an Update");
    case "List":
      return { $list: true };
    case "Dictionary":
      return { $dictionary: true };
    case "Set":
      throw new ChangesetFormatError("A set inside a mixed value is not supported by Atoll");
  }
}

export function payloadFromAtoll(value: InstructionValue, isFloat: boolean): RealmPayload {
  if (value === null) return { type: "Null" };
  switch (typeof value) {
    case "boolean":
      return { type: "Bool", value };
    case "string":
      return { type: "String", value };
    case "number":
      return isFloat ? { type: "Float", value } : { type: "Double", value };
  }
  if (value instanceof Long) return { type: "Int", value: value.toBigInt() };
  // UUID before Binary: in the bson package a UUID is a Binary.
  if (value instanceof UUID) return { type: "UUID", bytes: Uint8Array.from(value.buffer) };
  if (value instanceof Binary) return { type: "Binary", bytes: Uint8Array.from(value.value()) };
  if (value instanceof Date) return timestampOf(value);
  if (value instanceof Decimal128) return unpackDecimal(value.bytes);
  if (value instanceof ObjectId) return { type: "ObjectId", bytes: Uint8Array.from(value.id) };
  if ("$object" in value) return { type: "ObjectValue" };
  if ("$list" in value) return { type: "List" };
  if ("$dictionary" in value) return { type: "Dictionary" };
  return { type: "Link", table: value.$link.table, pk: primaryKeyFromAtoll(value.$link.pk) };
}

/** realm-core's Timestamp keeps seconds and nanoseconds of the same sign. */
function timestampOf(date: Date): RealmPayload {
  const ms = date.getTime();
  const seconds = Math.trunc(ms / 1000);
  const nanoseconds = (ms - seconds * 1000) * 1e6;
  return { type: "Timestamp", seconds: BigInt(seconds), nanoseconds };
}

/** IEEE 754 decimal128 (BID), little-endian, as realm-core unpacks it. */
function unpackDecimal(bytes: Uint8Array): RealmPayload {
  const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
  const low = view.getBigUint64(0, true);
  const high = view.getBigUint64(8, true);
  return {
    type: "Decimal",
    coefficient: ((high & MASK_COEFFICIENT_HIGH) << 64n) | low,
    exponent: Number((high >> 49n) & 0x3fffn) - DECIMAL_EXPONENT_BIAS,
    sign: high >> 63n === 1n,
  };
}

function packDecimal(decimal: Extract<RealmPayload, { type: "Decimal" }>): Uint8Array {
  const biased = decimal.exponent + DECIMAL_EXPONENT_BIAS;
  if (decimal.coefficient >= 1n << 113n || biased < 0 || biased > 0x3fff) {
    throw new ChangesetFormatError("Decimal128 coefficient or exponent out of range");
  }
  const high =
    (decimal.coefficient >> 64n) | (BigInt(biased) << 49n) | (decimal.sign ? 1n << 63n : 0n);
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, decimal.coefficient & MASK_64, true);
  view.setBigUint64(8, high & MASK_64, true);
  return bytes;
}
