/**
 * Stored form of values given for mixed properties and elements: besides the primitives, a
 * mixed value may be a list (an array or a Realm.List) or a dictionary (a plain object or a
 * Realm.Dictionary) of mixed values, nested to any depth. A Realm.Set, an embedded object or a
 * value that contains itself cannot be stored. A Realm.Object of this realm is stored as a link.
 */
import { RealmError, ClientErrorCode, errors } from "../errors.js";
import type { Database } from "../core/Database.js";
import type { ElementType, Stored } from "../schema/ClassInfo.js";
import { collectionKindOf, rowOf } from "../objects/symbols.js";
import { isStoredDictionary } from "../values/nested.js";
import { toStoredPrimitive, typeMismatch } from "../values/convert.js";

/** Dictionary keys are stored as document field names: no '.', no leading '$'. */
export function checkDictionaryKey(where: string, key: unknown): asserts key is string {
  if (typeof key !== "string" || key.includes(".") || key.startsWith("$")) {
    throw errors.invalidArgument(
      `Dictionary key '${String(key)}' of '${where}' must be a string without '.' that does not start with '$'`,
    );
  }
}

function toStoredMixed(
  db: Database,
  where: string,
  optional: boolean,
  value: unknown,
  open: Set<object>,
): Stored {
  if (typeof value !== "object" || value === null) {
    return toStoredPrimitive(where, "mixed", optional, value);
  }
  const row = rowOf(value);
  if (row) {
    if (row.cls.embedded) {
      throw new RealmError(
        ClientErrorCode.PropertyTypeMismatch,
        `Embedded objects cannot be stored in the mixed property '${where}'`,
      );
    }
    if (!row.alive) throw errors.invalidated(row.cls.name);
    if (db.rowsByKey.get(row.key) !== row) throw typeMismatch(where, "mixed", value);
    return { $link: row.key };
  }
  const kind = collectionKindOf(value);
  if (kind === "set") {
    throw new RealmError(
      ClientErrorCode.PropertyTypeMismatch,
      `A Realm.Set cannot be stored in the mixed property '${where}'`,
    );
  }
  const isList = kind === "list" || Array.isArray(value);
  const isDictionary = kind === "dictionary" || (!isList && isStoredDictionary(value));
  if (!isList && !isDictionary) return toStoredPrimitive(where, "mixed", optional, value);
  if (open.has(value)) {
    throw errors.invalidArgument(`A value that contains itself cannot be stored in '${where}'`);
  }
  open.add(value);
  let stored: Stored;
  if (isList) {
    stored = [...(value as Iterable<unknown>)].map((item) =>
      toStoredMixed(db, where, true, item, open),
    );
  } else {
    const record = value as Record<string, unknown>;
    stored = Object.fromEntries(
      Object.keys(record).map((key) => {
        checkDictionaryKey(where, key);
        return [key, toStoredMixed(db, where, true, record[key], open)];
      }),
    );
  }
  open.delete(value);
  return stored;
}

/** Stored form of a non-link value of `type`; `where` names it in errors ("Person.age"). */
export function toStoredValue(
  db: Database,
  where: string,
  type: ElementType,
  optional: boolean,
  value: unknown,
): Stored {
  if (type !== "mixed") return toStoredPrimitive(where, type, optional, value);
  return toStoredMixed(db, where, optional, value, new Set());
}
