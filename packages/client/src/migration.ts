/**
 * Schema migration on open, when the file holds an older schemaVersion: objects are brought to
 * the new schema (new properties get their default, removed ones go, properties whose type
 * changed are reset), then `onMigration(oldRealm, newRealm)` runs inside the same write
 * transaction, with the old data readable through `oldRealm`. Nothing is written unless the
 * whole migration succeeds.
 */
import { ClientErrorCode, RealmError } from "./errors.js";
import { Database, fillMissing } from "./core/Database.js";
import type { ClassInfo } from "./schema/ClassInfo.js";
import { normalizeSchema } from "./schema/normalizeSchema.js";
import { serializeSchema } from "./schema/compareSchemas.js";
import type { CanonicalObjectSchema } from "./schema/types.js";
import type { StoredSchemaState } from "./store/LocalStore.js";
import { inSchemaTransaction } from "./transaction/schemaTransaction.js";
import { buildPrototype } from "./objects/accessors.js";

type Attach<R> = (db: Database, readOnly: boolean, schemaVersion: number) => R;

function sameShape(
  a: CanonicalObjectSchema["properties"][string],
  b: CanonicalObjectSchema["properties"][string],
): boolean {
  return a.type === b.type && a.objectType === b.objectType && a.optional === b.optional;
}

/** Drops values of removed properties and resets those whose type changed. */
function conform(
  cls: ClassInfo,
  old: CanonicalObjectSchema | undefined,
  values: Record<string, unknown>,
): void {
  const keep = new Set<string>();
  for (const prop of cls.storedProps()) {
    const before = old && Object.values(old.properties).find((p) => p.mapTo === prop.key);
    if (before && sameShape(before, prop.schema)) keep.add(prop.key);
  }
  for (const key of Object.keys(values)) if (!keep.has(key)) delete values[key];
  fillMissing(cls, values);
}

export function migrate<R>(
  db: Database,
  from: StoredSchemaState,
  schemaVersion: number,
  onMigration: ((oldRealm: R, newRealm: R) => void) | undefined,
  attach: Attach<R>,
): void {
  const storedSchema = from.schema as CanonicalObjectSchema[];
  const oldDb = new Database(db.store, normalizeSchema(storedSchema), false);
  oldDb.load(db.store.loadObjects());
  for (const cls of oldDb.classes.values()) cls.proto = buildPrototype(cls);
  const oldByName = new Map(storedSchema.map((o) => [o.name, o]));

  db.migrating = true;
  try {
    inSchemaTransaction(db, { schemaVersion, schema: serializeSchema(db.schema) }, (txn) => {
      for (const cls of db.classes.values()) {
        for (const row of cls.rows.values()) {
          txn.touch(row);
          conform(cls, oldByName.get(cls.name), row.values);
        }
        db.rebuildPrimaryKeyIndex(cls);
      }
      if (onMigration)
        onMigration(attach(oldDb, true, from.schemaVersion), attach(db, false, schemaVersion));
      for (const cls of db.classes.values()) {
        const clash = db.rebuildPrimaryKeyIndex(cls);
        if (clash) {
          throw new RealmError(
            ClientErrorCode.SchemaMismatch,
            `Primary key property '${cls.name}.${cls.pk?.name ?? ""}' has duplicate values after migration: '${String(clash.duplicate)}'`,
            { details: { objectType: cls.name } },
          );
        }
      }
    });
  } finally {
    db.migrating = false;
  }
}
