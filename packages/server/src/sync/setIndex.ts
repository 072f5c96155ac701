/**
 * Set membership in time independent of the set's size. A set is stored as an array; the
 * instructions of one run that change it (`documentPatch`, on the run's own copy) keep beside
 * it its elements bucketed by a coarse key, so that a membership test compares a new element
 * with the few elements of its bucket (by `bsonEquals`) instead of with every element. Values
 * `bsonEquals` deems equal always share a key; a bucket may hold unequal values too.
 */
import { Long } from "bson";
import { bsonEquals } from "./bsonEquals.js";

const indexes = new WeakMap<unknown[], Map<string, unknown[]>>();

function bucketKey(value: unknown): string {
  if (typeof value === "string") return `s${value}`;
  if (typeof value === "number") return `n${value}`;
  if (Long.isLong(value)) return `n${value.toNumber()}`;
  if (value === null || typeof value === "boolean") return String(value);
  if (value instanceof Date) return `t${value.getTime()}`;
  const bsonType = (value as { _bsontype?: string })._bsontype;
  if (bsonType === "ObjectId") return `o${(value as { toHexString(): string }).toHexString()}`;
  return "x";
}

function indexOf(set: unknown[]): Map<string, unknown[]> {
  let index = indexes.get(set);
  if (index === undefined) {
    index = new Map();
    for (const item of set) bucket(index, bucketKey(item)).push(item);
    indexes.set(set, index);
  }
  return index;
}

function bucket(index: Map<string, unknown[]>, key: string): unknown[] {
  let items = index.get(key);
  if (items === undefined) {
    items = [];
    index.set(key, items);
  }
  return items;
}

/** Adds `value` to `set` unless an equal element is there. */
export function setInsert(set: unknown[], value: unknown): void {
  const items = bucket(indexOf(set), bucketKey(value));
  if (items.some((item) => bsonEquals(item, value))) return;
  items.push(value);
  set.push(value);
}

/** Removes the element equal to `value` from `set`, if there is one. */
export function setErase(set: unknown[], value: unknown): void {
  const items = bucket(indexOf(set), bucketKey(value));
  const at = items.findIndex((item) => bsonEquals(item, value));
  if (at < 0) return;
  const [item] = items.splice(at, 1);
  // The bucket holds the set's own elements: find it by identity (a native scan).
  set.splice(set.indexOf(item), 1);
}

/** `list` is about to be changed by position (as a list): its index, if any, no longer holds. */
export function forgetSetIndex(list: unknown[]): void {
  indexes.delete(list);
}
