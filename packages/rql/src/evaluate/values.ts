import { Binary, Decimal128, Double, Int32, Long, ObjectId, UUID } from "bson";
import { compareCodePoints } from "./strings.js";

/**
 * How the evaluator sees a runtime value. Objects given to `evaluate` hold JS and BSON values
 * (see the package README); this is the one place that tells them apart.
 */
export type ValueKind =
  | "null"
  | "bool"
  | "number" // JS number, Int32, Double, Long, bigint
  | "decimal"
  | "string"
  | "binary"
  | "date"
  | "objectId"
  | "uuid"
  | "list"
  | "dictionary"
  | "object";

export function kindOf(value: unknown): ValueKind {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "boolean":
      return "bool";
    case "number":
    case "bigint":
      return "number";
    case "string":
      return "string";
    case "object":
      break;
    default:
      return "object";
  }
  if (value instanceof Date) return "date";
  if (value instanceof ObjectId) return "objectId";
  if (value instanceof Binary) return value.sub_type === Binary.SUBTYPE_UUID ? "uuid" : "binary";
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return "binary";
  if (value instanceof Decimal128) return "decimal";
  if (value instanceof Int32 || value instanceof Double || value instanceof Long) return "number";
  if (value instanceof Map) return "dictionary";
  if (Array.isArray(value) || (Symbol.iterator in value && typeof value !== "string"))
    return "list";
  return "object";
}

/** Realm's order between kinds when a sort meets mixed values; nulls first. */
const KIND_RANK: Record<ValueKind, number> = {
  null: 0,
  bool: 1,
  number: 2,
  decimal: 2,
  string: 3,
  binary: 4,
  date: 5,
  objectId: 6,
  uuid: 7,
  list: 8,
  dictionary: 9,
  object: 10,
};

/** Equality as RQL defines it: by value across numeric kinds, BSON values by content. */
export function valuesEqual(a: unknown, b: unknown, primaryKey?: string): boolean {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === "null" || kb === "null") return ka === kb;
  if (isNumeric(ka) && isNumeric(kb)) return compareNumeric(a, b) === 0;
  if (ka !== kb) return false;
  switch (ka) {
    case "object":
      return (
        a === b ||
        (primaryKey !== undefined &&
          valuesEqual(
            (a as Record<string, unknown>)[primaryKey],
            (b as Record<string, unknown>)[primaryKey],
          ))
      );
    case "list":
    case "dictionary":
      return a === b;
    default:
      return compareSameKind(ka, a, b) === 0;
  }
}

/**
 * Order between two values, or undefined when they are not ordered against each other (a null,
 * or two different kinds): RQL's `<`, `>`… are false then.
 */
export function compareValues(a: unknown, b: unknown): number | undefined {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (isNumeric(ka) && isNumeric(kb)) return compareNumeric(a, b);
  if (
    ka !== kb ||
    ka === "null" ||
    ka === "bool" ||
    ka === "object" ||
    ka === "list" ||
    ka === "dictionary"
  )
    return undefined;
  return compareSameKind(ka, a, b);
}

/** A total order for SORT: nulls first, then by kind, then by value. */
export function sortOrder(a: unknown, b: unknown): number {
  const ka = kindOf(a);
  const kb = kindOf(b);
  const rank = KIND_RANK[ka] - KIND_RANK[kb];
  if (rank !== 0) return rank;
  if (ka === "null") return 0;
  if (ka === "bool") return Number(a) - Number(b);
  const order = compareValues(a, b);
  return order === undefined || Number.isNaN(order) ? 0 : order;
}

function isNumeric(kind: ValueKind): boolean {
  return kind === "number" || kind === "decimal";
}

function compareSameKind(kind: ValueKind, a: unknown, b: unknown): number {
  switch (kind) {
    case "bool":
      return Number(a) - Number(b);
    case "string":
      return compareCodePoints(a as string, b as string);
    case "date":
      return Math.sign((a as Date).getTime() - (b as Date).getTime());
    case "objectId":
      return compareBytes((a as ObjectId).id, (b as ObjectId).id);
    case "uuid":
    case "binary":
      return compareBytes(bytesOf(a), bytesOf(b));
    default:
      return 0;
  }
}

export function bytesOf(value: unknown): Uint8Array {
  if (value instanceof Binary) return value.buffer.subarray(0, value.position);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return value as Uint8Array;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return Math.sign(d);
  }
  return Math.sign(a.length - b.length);
}

/** Numeric comparison across JS numbers, bigint, Int32/Double/Long and Decimal128 (NaN when unordered). */
export function compareNumeric(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number")
    return a < b ? -1 : a > b ? 1 : a === b ? 0 : NaN;
  const x = toExact(a);
  const y = toExact(b);
  if (typeof x === "number" || typeof y === "number") {
    const fx = typeof x === "number" ? x : exactToNumber(x);
    const fy = typeof y === "number" ? y : exactToNumber(y);
    return fx < fy ? -1 : fx > fy ? 1 : fx === fy ? 0 : NaN;
  }
  return compareExact(x, y);
}

/** A finite number as sign·coefficient·10^exponent; non-finite values stay JS numbers. */
interface ExactDecimal {
  coefficient: bigint;
  exponent: number;
}

function toExact(value: unknown): ExactDecimal | number {
  if (typeof value === "bigint") return { coefficient: value, exponent: 0 };
  if (value instanceof Long) return { coefficient: BigInt(value.toString()), exponent: 0 };
  if (value instanceof Int32 || value instanceof Double) return toExact(value.valueOf());
  if (value instanceof Decimal128) return parseDecimal(value.toString());
  const n = value as number;
  if (!Number.isFinite(n)) return n;
  // The shortest text that round-trips: 0.1 compares equal to Decimal128 "0.1".
  return parseDecimal(String(n));
}

function parseDecimal(text: string): ExactDecimal | number {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return /^-/.test(text) ? -Infinity : /inf/i.test(text) ? Infinity : NaN;
  const fraction = m[3] ?? "";
  const digits = `${m[2] ?? ""}${fraction}` || "0";
  const coefficient = BigInt(digits) * (m[1] === "-" ? -1n : 1n);
  return { coefficient, exponent: Number(m[4] ?? 0) - fraction.length };
}

function exactToNumber(x: ExactDecimal): number {
  return Number(`${x.coefficient}e${x.exponent}`);
}

function compareExact(x: ExactDecimal, y: ExactDecimal): number {
  const e = Math.min(x.exponent, y.exponent);
  // Exponents of Decimal128 stay within ±6176, so scaling stays affordable.
  const a = x.coefficient * 10n ** BigInt(x.exponent - e);
  const b = y.coefficient * 10n ** BigInt(y.exponent - e);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Numbers as JS numbers for @sum/@avg; Decimal128 results keep Decimal128 when any input is one. */
export function toJsNumber(value: unknown): number {
  const x = toExact(value);
  return typeof x === "number" ? x : exactToNumber(x);
}

export { UUID };
