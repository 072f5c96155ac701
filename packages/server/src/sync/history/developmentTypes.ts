/**
 * Types a device added in development mode, kept durably beside sync's history (one document
 * per type holding the device's object schema as sent on bind), so that after a restart they
 * are part of the synced model again: devices can still subscribe to them, and writes made to
 * them outside sync are recorded into history.
 */
import type { StorageEngine } from "../../storage/StorageEngine.js";
import { isConflict } from "./historyWrites.js";
import { DEVELOPMENT_TYPES, SYNC_ORIGIN } from "./syncNamespaces.js";

/** A client object schema as `bind.schema` carries it. */
export type ClientObjectSchema = Readonly<Record<string, unknown>>;

/** Records the object schemas of new types; a type recorded already (by another node) stays as it is. */
export async function saveDevelopmentTypes(
  storage: StorageEngine,
  schemas: readonly ClientObjectSchema[],
): Promise<void> {
  for (const schema of schemas) {
    try {
      await storage.commit(
        [
          {
            kind: "insert",
            ns: DEVELOPMENT_TYPES,
            doc: { _id: String(schema.name), schema: JSON.stringify(schema) },
          },
        ],
        { origin: SYNC_ORIGIN },
      );
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
  }
}

/** The object schemas recorded so far, in the order they were added. */
export async function loadDevelopmentTypes(storage: StorageEngine): Promise<ClientObjectSchema[]> {
  const stored = await storage.scan(DEVELOPMENT_TYPES);
  return stored.map(({ doc }) => JSON.parse(String(doc.schema)) as ClientObjectSchema);
}
