/** The changeset form of stored values (see @atoll/protocol's instruction set). */
import { Binary, Long } from "bson";
import type { InstructionValue } from "@atoll/protocol";
import type { Database } from "../core/Database.js";
import { wirePrimaryKey } from "../core/paths.js";
import { isStoredDictionary, isStoredList } from "../values/nested.js";
import type { PropInfo } from "../schema/ClassInfo.js";

export function payloadOf(db: Database, prop: PropInfo, stored: unknown): InstructionValue {
  if (stored === null || stored === undefined) return null;
  if (prop.element === "object") {
    const target = db.rowsByKey.get(stored as number);
    if (!target) return null;
    if (target.cls.embedded) return { $object: true };
    return { $link: { table: target.cls.name, pk: wirePrimaryKey(target) } };
  }
  if (prop.element === "int") return Long.fromNumber(stored as number);
  if (stored instanceof Uint8Array) return new Binary(stored);
  if (prop.element === "mixed") {
    if (typeof stored === "number" && Number.isInteger(stored)) return Long.fromNumber(stored);
    // A list or dictionary in a mixed value is placed empty; the instructions after fill it.
    if (isStoredList(stored)) return { $list: true };
    if (isStoredDictionary(stored)) return { $dictionary: true };
  }
  return stored as InstructionValue;
}
