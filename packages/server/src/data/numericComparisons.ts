/**
 * Comparisons (`$gt`, `$gte`, `$lt`, `$lte`, `$eq`, `$ne`, `$in`, `$nin`) for Decimal128 and
 * int64 (`Long`) values. mingo
 * orders BSON classes by their string form, which is right for ObjectId but wrong for numbers
 * ("10" < "9"), and never compares them with JS numbers. These operators, registered ahead of
 * mingo's own, compare every numeric pair (number, Long, Decimal128) by value whenever a Long
 * or Decimal128 takes part, and leave every other comparison to mingo. `sortWithWideNumbers`
 * does the same for `$sort`.
 */
import { Decimal128, Long } from "bson";
import type { Options, QueryOperator } from "mingo/core";
import * as queryOperators from "mingo/operators/query";
import { compare, resolve } from "mingo/util";

type Comparison = "$gt" | "$gte" | "$lt" | "$lte";

const TESTS: Readonly<Record<Comparison, (order: number) => boolean>> = {
  $gt: (order) => order > 0,
  $gte: (order) => order >= 0,
  $lt: (order) => order < 0,
  $lte: (order) => order <= 0,
};

type Membership = "$eq" | "$ne" | "$in" | "$nin";

export const numericComparisonOperators: Readonly<Record<Comparison | Membership, QueryOperator>> =
  {
    $gt: numericAware("$gt"),
    $gte: numericAware("$gte"),
    $lt: numericAware("$lt"),
    $lte: numericAware("$lte"),
    $eq: numericEquality("$eq"),
    $ne: numericEquality("$ne"),
    $in: numericEquality("$in"),
    $nin: numericEquality("$nin"),
  };

/**
 * Equality and membership: what mingo finds equal stays equal; in addition a Long or
 * Decimal128 equals any number, Long or Decimal128 of the same value (`Decimal128("1.50")`
 * equals `1.5`), as in MongoDB.
 */
function numericEquality(name: Membership): QueryOperator {
  const base = (queryOperators as unknown as Record<Membership, QueryOperator>)[name];
  const negated = name === "$ne" || name === "$nin";
  return (selector: string, value: unknown, options: Options) => {
    const fallback = base(selector, value, options);
    const wanted =
      name === "$in" || name === "$nin" ? (Array.isArray(value) ? value : []) : [value];
    const numericWanted = wanted.filter(isNumeric);
    if (numericWanted.length === 0) return fallback;
    return (doc) => {
      const found: unknown = resolve(doc, selector);
      const candidates = Array.isArray(found) ? found.flat() : [found];
      const wide = numericWanted.some(isWide) || candidates.some(isWide);
      if (!wide) return fallback(doc);
      const numericMatch = candidates.some(
        (c) => isNumeric(c) && numericWanted.some((w) => compareNumeric(c, w) === 0),
      );
      return negated ? fallback(doc) && !numericMatch : fallback(doc) || numericMatch;
    };
  };
}

function numericAware(name: Comparison): QueryOperator {
  const base = (queryOperators as unknown as Record<Comparison, QueryOperator>)[name];
  const test = TESTS[name];
  return (selector: string, value: unknown, options: Options) => {
    const fallback = base(selector, value, options);
    if (!isNumeric(value)) return fallback;
    return (doc) => {
      const found: unknown = resolve(doc, selector);
      const candidates = Array.isArray(found) ? found.flat() : [found];
      if (!isWide(value) && !candidates.some(isWide)) return fallback(doc);
      return candidates.some(
        (candidate) => isNumeric(candidate) && test(compareNumeric(candidate, value)),
      );
    };
  };
}

export function isWide(value: unknown): value is Long | Decimal128 {
  return Long.isLong(value) || value instanceof Decimal128;
}

export function isNumeric(value: unknown): value is number | Long | Decimal128 {
  return (typeof value === "number" && !Number.isNaN(value)) || isWide(value);
}

/** Exact for int64 pairs; Decimal128 compares through its decimal string as a double. */
export function compareNumeric(
  a: number | Long | Decimal128,
  b: number | Long | Decimal128,
): number {
  if (Long.isLong(a) && Long.isLong(b)) return a.compare(b);
  if (Long.isLong(a) && typeof b === "number" && Number.isInteger(b) && Number.isSafeInteger(b))
    return a.compare(Long.fromNumber(b));
  if (typeof a === "number" && Number.isSafeInteger(a) && Long.isLong(b))
    return Long.fromNumber(a).compare(b);
  const x = toNumber(a);
  const y = toNumber(b);
  return x === y ? 0 : x < y ? -1 : 1;
}

function toNumber(value: number | Long | Decimal128): number {
  if (typeof value === "number") return value;
  return Long.isLong(value) ? value.toNumber() : Number(value.toString());
}

/**
 * Sorts by a `$sort` specification when a sort key holds a Long or Decimal128 somewhere
 * (returns null otherwise, leaving the sort to mingo): numeric pairs by value, anything else
 * in mingo's BSON order.
 */
export function sortWithWideNumbers(
  docs: readonly Record<string, unknown>[],
  spec: Record<string, unknown>,
): Record<string, unknown>[] | null {
  const keys = Object.entries(spec).map(([path, direction]) => ({
    path,
    direction: direction === -1 ? -1 : 1,
  }));
  const involved = docs.some((doc) => keys.some(({ path }) => isWide(resolve(doc, path))));
  if (!involved) return null;
  return [...docs].sort((x, y) => {
    for (const { path, direction } of keys) {
      const a: unknown = resolve(x, path);
      const b: unknown = resolve(y, path);
      const order = isNumeric(a) && isNumeric(b) ? compareNumeric(a, b) : compare(a, b);
      if (order !== 0) return order * direction;
    }
    return 0;
  });
}
