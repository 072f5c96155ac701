/**
 * Plain-data copies of live objects and collections (Realm JS `toJSON`). One call shares one
 * cache: an object reached twice, through two links or a cycle, becomes one and the same plain
 * object (so a cycle stays a cycle, as in Realm JS, for a circular-aware serialiser to handle).
 * Every property is there, `linkingObjects` ones too (as arrays). A counter becomes its number;
 * other values are kept as they are.
 */
import type { ObjectRow } from "../schema/ClassInfo.js";
import { Counter } from "./Counter.js";
import { rowOf } from "./symbols.js";

/** The plain object made for each row so far in one `toJSON` call. */
export type JSONCache = Map<ObjectRow, Record<string, unknown>>;

export function toJSONValue(value: unknown, cache: JSONCache): unknown {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Counter) return value.value;
  const row = rowOf(value);
  if (row) {
    // Keyed by row, not by the live object: each realm on a file has its own live objects.
    const cached = cache.get(row);
    if (cached) return cached;
    const result: Record<string, unknown> = {};
    cache.set(row, result);
    for (const prop of row.cls.props) {
      result[prop.name] = toJSONValue((value as Record<string, unknown>)[prop.name], cache);
    }
    return result;
  }
  if (typeof (value as { toJSONInternal?: unknown }).toJSONInternal === "function") {
    return (value as { toJSONInternal(cache: JSONCache): unknown }).toJSONInternal(cache);
  }
  return value;
}
