/** Encoding of one object's stored values for the LocalStore: a BSON document. */
import { BSON } from "bson";
import type { ObjectRow, Stored } from "../schema/ClassInfo.js";
import { reviveDecoded } from "../values/convert.js";
import type { StoredObject } from "../store/LocalStore.js";

export function encodeRow(row: ObjectRow): StoredObject {
  return { key: row.key, className: row.cls.name, owner: row.owner, data: BSON.serialize(row.values) };
}

export function decodeValues(data: Uint8Array): Record<string, Stored> {
  return reviveDecoded(BSON.deserialize(data)) as Record<string, Stored>;
}
