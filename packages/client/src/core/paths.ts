/**
 * Where an object lives, as sync addresses it: a top-level object by (table, primary key), an
 * embedded object by the path from its top-level owner (property names, list indices,
 * dictionary keys), as realm-core does.
 */
import { Long } from "bson";
import type { PathElement, PrimaryKey } from "@atoll/protocol";
import type { ObjectRow } from "../schema/ClassInfo.js";
import type { Database } from "./Database.js";

export interface ObjectAddress {
  readonly table: string;
  readonly pk: PrimaryKey;
  readonly path: PathElement[];
  readonly topLevel: ObjectRow;
}

/** The wire primary key of a top-level object; types without one use the object key. */
export function wirePrimaryKey(row: ObjectRow): PrimaryKey {
  const pk = row.cls.pk;
  if (!pk) return Long.fromNumber(row.key);
  const value = row.values[pk.key];
  if (typeof value === "number") return Long.fromNumber(value);
  return value as PrimaryKey;
}

/** The owner of an embedded object and the path inside the owner that holds it. */
export function locateInOwner(
  db: Database,
  row: ObjectRow,
): { owner: ObjectRow; path: PathElement[] } | undefined {
  const owner = db.rowsByKey.get(row.owner);
  if (!owner) return undefined;
  for (const prop of owner.cls.props) {
    if (prop.target !== row.cls) continue;
    const value = owner.values[prop.key];
    if (value === row.key) return { owner, path: [prop.key] };
    if (Array.isArray(value)) {
      const index = value.indexOf(row.key);
      if (index >= 0) return { owner, path: [prop.key, index] };
    } else if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value))
        if (item === row.key) return { owner, path: [prop.key, key] };
    }
  }
  return undefined;
}

export function addressOf(db: Database, row: ObjectRow): ObjectAddress {
  const path: PathElement[] = [];
  let current = row;
  while (current.cls.embedded) {
    const location = locateInOwner(db, current);
    if (!location) break;
    path.unshift(...location.path);
    current = location.owner;
  }
  return { table: current.cls.name, pk: wirePrimaryKey(current), path, topLevel: current };
}
