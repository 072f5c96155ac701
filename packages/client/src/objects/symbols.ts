/** Internal slots of live objects and collections, out of the way of user property names. */
import type { ObjectRow } from "../schema/ClassInfo.js";

export const ROW: unique symbol = Symbol("Realm.Object row");
export const CONTEXT: unique symbol = Symbol("Realm.Object realm");

/** What every live object carries (Realm.Object and its subclasses). */
export interface LiveObject {
  [ROW]: ObjectRow;
  [CONTEXT]: unknown;
}

/** The row behind a live Realm.Object, or undefined for anything else. */
export function rowOf(value: unknown): ObjectRow | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  return (value as { [ROW]?: ObjectRow })[ROW];
}

/** Which live collection a value is ("list", "set", "dictionary"), read without importing them. */
export const COLLECTION_KIND: unique symbol = Symbol("Realm collection kind");

export type CollectionKind = "list" | "set" | "dictionary";

export function collectionKindOf(value: unknown): CollectionKind | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  return (value as { [COLLECTION_KIND]?: CollectionKind })[COLLECTION_KIND];
}
