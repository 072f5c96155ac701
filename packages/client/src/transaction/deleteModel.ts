/**
 * `realm.deleteModel(name)` (Realm JS v12), inside a write transaction or a migration:
 * - a type that is no longer in the schema (the usual case, in a migration after the type was
 *   dropped from the schema): its objects, kept untouched in the file until now, are deleted;
 * - a type in the schema: its objects are deleted and the type leaves the realm's schema, which
 *   the `"schema"` listeners hear of after the commit. Refused when another type still refers
 *   to it, and in a synced realm, whose schema the server shares.
 */
import type { Database } from "../core/Database.js";
import { errors } from "../errors.js";
import { serializeSchema } from "../schema/compareSchemas.js";
import type { ObjectWriter } from "./ObjectWriter.js";
import type { WriteTransaction } from "./WriteTransaction.js";

export function deleteModel(
  db: Database,
  txn: WriteTransaction,
  writer: ObjectWriter,
  name: string,
  schemaVersion: number,
): void {
  if (typeof name !== "string") throw errors.invalidArgument("deleteModel() needs a type name");
  const cls = db.classes.get(name);
  if (!cls) {
    txn.deleteForeign(name);
    return;
  }
  if (db.recordChangesets) {
    throw errors.invalidArgument(
      `Cannot delete the model '${name}' of a synced realm: its schema is shared with the server`,
    );
  }
  for (const other of db.classes.values()) {
    if (other === cls) continue;
    const referrer = other.props.find((prop) => prop.objectType === name);
    if (referrer) {
      throw errors.invalidArgument(
        `Cannot delete the model '${name}': '${referrer.qualifiedName}' refers to it`,
      );
    }
  }
  for (const row of [...cls.rows.values()]) if (row.alive) writer.delete(row);
  const undo = db.removeType(name);
  txn.changeSchema({ schemaVersion, schema: serializeSchema(db.schema) }, undo);
}
