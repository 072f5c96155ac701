/**
 * The filters permissions are made of most often, `{ ownerId: "<user id>" }` and the like,
 * answered without the query engine: every condition a top-level field (no dot, no `$`)
 * equal to a string or boolean. MongoDB's meaning is kept: the field matches when it holds
 * the value itself or is an array with the value as an element. Any other filter is left to
 * the engine (`compileFilter` in mql.ts).
 */
import type { Document } from "./types.js";

type Scalar = string | boolean;

/** A predicate equal to the engine's for `filter`, or undefined when the filter is not that simple. */
export function equalityPredicate(filter: Document): ((doc: Document) => boolean) | undefined {
  const prototype: unknown = Object.getPrototypeOf(filter);
  if (prototype !== Object.prototype && prototype !== null) return undefined;
  const fields: string[] = [];
  const values: Scalar[] = [];
  for (const [field, value] of Object.entries(filter)) {
    if (field === "" || field.startsWith("$") || field.includes(".")) return undefined;
    if (typeof value !== "string" && typeof value !== "boolean") return undefined;
    fields.push(field);
    values.push(value);
  }
  return (doc) => {
    for (let i = 0; i < fields.length; i++) {
      const held = doc[fields[i]!];
      const wanted = values[i]!;
      if (held !== wanted && !(Array.isArray(held) && held.includes(wanted))) return false;
    }
    return true;
  };
}
