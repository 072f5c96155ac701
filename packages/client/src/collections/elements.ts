/** Reading collection elements: stored form to what user code sees, and ids for change sets. */
import type { RealmContext } from "../core/RealmContext.js";
import type { PropInfo } from "../schema/ClassInfo.js";
import { fromStoredPrimitive } from "../values/convert.js";
import { isStoredDictionary, isStoredLink, isStoredList } from "../values/nested.js";

export function readElement(context: RealmContext, prop: PropInfo, stored: unknown): unknown {
  if (isStoredLink(stored)) {
    const row = context.db.rowsByKey.get(stored.$link);
    return row?.alive ? context.objectFor(row) : null;
  }
  if (prop.element !== "object") return fromStoredPrimitive(stored);
  if (stored === null || stored === undefined) return null;
  const row = context.db.rowsByKey.get(stored as number);
  return row ? context.objectFor(row) : null;
}

/** An id per element that is equal for equal elements: the row for objects, a token for values. */
export function elementId(context: RealmContext, prop: PropInfo, stored: unknown): unknown {
  if (prop.element === "object")
    return typeof stored === "number" ? (context.db.rowsByKey.get(stored) ?? null) : null;
  if (stored === null || typeof stored !== "object") return stored;
  if (isStoredLink(stored)) return context.db.rowsByKey.get(stored.$link) ?? null;
  // A nested list or dictionary is identified by its content, so a change inside it shows as a
  // change of the element that holds it.
  if (isStoredList(stored) || isStoredDictionary(stored)) return `nested:${JSON.stringify(stored)}`;
  if (stored instanceof Date) return `date:${stored.getTime()}`;
  if (stored instanceof Uint8Array) return `data:${Buffer.from(stored).toString("hex")}`;
  return `${stored.constructor.name}:${String(stored)}`;
}
