/**
 * Lists and dictionaries held by a mixed value (or by a list or dictionary of mixed). Stored as
 * plain arrays and plain objects of stored values, which no other stored value is, and reached
 * from their property by a path of list indexes and dictionary keys. A link held by a mixed
 * value is stored as `{ $link: objectKey }`, which no dictionary can be (its keys never start
 * with '$').
 */
import type { Stored } from "../schema/ClassInfo.js";

export interface StoredLink {
  readonly $link: number;
}

export function isStoredLink(value: unknown): value is StoredLink {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  return typeof (value as { $link?: unknown }).$link === "number";
}

/** Indexes and keys from a property's value down to a nested collection; [] is the property. */
export type NestedPath = readonly (string | number)[];

export function isStoredList(value: unknown): value is Stored[] {
  return Array.isArray(value);
}

export function isStoredDictionary(value: unknown): value is Record<string, Stored> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return (proto === Object.prototype || proto === null) && !isStoredLink(value);
}

/** The value at `path` under `root`, or undefined when the path no longer leads anywhere. */
export function valueAt(root: unknown, path: NestedPath): unknown {
  let value = root;
  for (const step of path) {
    if (typeof step === "number" ? isStoredList(value) : isStoredDictionary(value)) {
      value = Object.hasOwn(value as object, step)
        ? (value as Record<string | number, unknown>)[step]
        : undefined;
    } else return undefined;
  }
  return value;
}

/** A copy sharing no list or dictionary with `value`, at any depth. */
export function copyStored(value: Stored): Stored {
  if (isStoredList(value)) return value.map(copyStored);
  if (isStoredDictionary(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, copyStored(item)]));
  }
  return value;
}

/** Sets every link to the object `key` inside `container` to null, at any depth; true if any. */
export function dropLinksTo(container: Stored, key: number): boolean {
  if (!isStoredList(container) && !isStoredDictionary(container)) return false;
  let changed = false;
  const record = container as Record<string | number, Stored>;
  for (const at of isStoredList(container) ? container.keys() : Object.keys(container)) {
    const item = record[at];
    if (isStoredLink(item)) {
      if (item.$link !== key) continue;
      record[at] = null;
      changed = true;
    } else if (dropLinksTo(item, key)) changed = true;
  }
  return changed;
}

/** Whether `value` is, or holds at any depth, a link to the object `key`. */
export function linksTo(value: Stored, key: number): boolean {
  if (isStoredLink(value)) return value.$link === key;
  if (isStoredList(value)) return value.some((item) => linksTo(item, key));
  if (isStoredDictionary(value)) return Object.values(value).some((item) => linksTo(item, key));
  return false;
}
