/** Plain-data copies of live objects and collections (Realm JS `toJSON`), safe with cycles. */
import { rowOf } from "./symbols.js";

export function toJSONValue(value: unknown, seen: Map<object, unknown>): unknown {
  if (value === null || typeof value !== "object") return value;
  const row = rowOf(value);
  if (row) {
    const cached = seen.get(value);
    if (cached) return cached;
    const result: Record<string, unknown> = {};
    seen.set(value, result);
    for (const prop of row.cls.props) {
      if (prop.element === "linkingObjects") continue;
      result[prop.name] = toJSONValue((value as Record<string, unknown>)[prop.name], seen);
    }
    return result;
  }
  if (typeof (value as { toJSONInternal?: unknown }).toJSONInternal === "function") {
    return (value as { toJSONInternal(seen: Map<object, unknown>): unknown }).toJSONInternal(seen);
  }
  return value;
}
