/**
 * Opening a realm file: the store, the schema check against what the file holds, loading, and
 * the process-wide registry that lets several Realm instances on one path share one Database
 * (and so one live state, one write lock and each other's notifications).
 */
import { ClientErrorCode, RealmError } from "../errors.js";
import { breakingChanges, serializeSchema } from "../schema/compareSchemas.js";
import { invalidSchema, normalizeSchema } from "../schema/normalizeSchema.js";
import type { CanonicalObjectSchema, SchemaEntry } from "../schema/types.js";
import type { LocalStore, StoredSchemaState } from "../store/LocalStore.js";
import { Database } from "./Database.js";

export interface OpenOptions {
  readonly schema: readonly SchemaEntry[] | undefined;
  readonly schemaVersion: number;
  readonly readOnly: boolean;
  readonly recordChangesets: boolean;
  readonly hasMigration: boolean;
  readonly deleteRealmIfMigrationNeeded: boolean;
}

export interface OpenedDatabase {
  readonly db: Database;
  /** Set when the file holds an older schema version: the caller runs the migration. */
  readonly migrateFrom: StoredSchemaState | undefined;
  /** True when the schema state must be written (new file or additive change). */
  readonly schemaChanged: boolean;
  /** True when the file had never been given a schema: this open creates the realm. */
  readonly created: boolean;
}

function checkVersion(version: number): void {
  if (!Number.isSafeInteger(version) || version < 0) {
    throw new RealmError(
      ClientErrorCode.InvalidSchemaVersion,
      `schemaVersion must be a non-negative integer, got ${String(version)}`,
    );
  }
}

export function openDatabase(openStore: () => LocalStore, options: OpenOptions): OpenedDatabase {
  checkVersion(options.schemaVersion);
  const wanted = options.schema ? normalizeSchema(options.schema) : undefined;
  const store = openStore();
  try {
    const stored = store.readSchemaState();
    const storedSchema = stored?.schema as CanonicalObjectSchema[] | undefined;
    const schema = wanted ?? (storedSchema ? normalizeSchema(storedSchema) : undefined);
    if (!schema) throw invalidSchema("Opening a new realm needs a schema");
    const state = decide(stored, schema, options);
    const db = new Database(store, schema, options.recordChangesets);
    db.load(store.loadObjects());
    // Files written before ingested objects lived only in the upload log hold them as objects too.
    const stale = db.dropIngested(db.rowsByKey.values());
    if (stale.length > 0 && !options.readOnly)
      store.commit({ upserts: [], deletes: stale.map((row) => row.key) });
    return { db, ...state };
  } catch (error) {
    store.close();
    throw error;
  }
}

function decide(
  stored: StoredSchemaState | undefined,
  schema: readonly CanonicalObjectSchema[],
  options: OpenOptions,
): Pick<OpenedDatabase, "migrateFrom" | "schemaChanged" | "created"> {
  if (!stored) return { migrateFrom: undefined, schemaChanged: true, created: true };
  const storedSchema = stored.schema as CanonicalObjectSchema[];
  const sameSchema = JSON.stringify(serializeSchema(schema)) === JSON.stringify(storedSchema);
  if (options.schemaVersion < stored.schemaVersion && options.schema) {
    throw new RealmError(
      ClientErrorCode.InvalidSchemaVersion,
      `Provided schema version ${options.schemaVersion} is less than last set version ${stored.schemaVersion}.`,
      { details: { schemaVersion: options.schemaVersion, storedVersion: stored.schemaVersion } },
    );
  }
  if (options.schemaVersion > stored.schemaVersion && options.schema) {
    if (options.readOnly)
      throw new RealmError(ClientErrorCode.ReadOnly, "Cannot migrate a read-only realm.");
    return { migrateFrom: stored, schemaChanged: true, created: false };
  }
  if (sameSchema || !options.schema)
    return { migrateFrom: undefined, schemaChanged: false, created: false };
  const breaking = breakingChanges(storedSchema, schema);
  if (breaking.length > 0) {
    throw new RealmError(
      ClientErrorCode.SchemaMismatch,
      `Migration is required due to the following errors:\n${breaking.map((c) => `- ${c}`).join("\n")}`,
      { details: { changes: breaking } },
    );
  }
  if (options.readOnly)
    throw new RealmError(
      ClientErrorCode.ReadOnly,
      "Cannot change the schema of a read-only realm.",
    );
  return { migrateFrom: undefined, schemaChanged: true, created: false };
}

/** Process-wide: open Databases by file path, shared by the Realm instances on that path. */
const openDatabases = new Map<string, { db: Database; users: number; keyFingerprint: string }>();

/**
 * The Database already open on `path`, taking a share of it; it must have been opened with the
 * same encryption key (`keyFingerprint`, see encryptionKey.ts) and a compatible schema.
 */
export function sharedDatabase(
  path: string,
  schema: readonly CanonicalObjectSchema[] | undefined,
  keyFingerprint: string,
): Database | undefined {
  const entry = openDatabases.get(path);
  if (!entry) return undefined;
  if (entry.keyFingerprint !== keyFingerprint) {
    throw new RealmError(
      ClientErrorCode.DecryptionFailed,
      `Realm at path '${path}' already opened with different encryption key`,
      { details: { path } },
    );
  }
  // Compared with the schema the database has now (deleteModel can have narrowed it).
  const current = JSON.stringify(serializeSchema(entry.db.schema));
  if (schema && JSON.stringify(serializeSchema(schema)) !== current) {
    throw new RealmError(
      ClientErrorCode.SchemaMismatch,
      `Realm at path '${path}' is already opened with a different schema`,
      { details: { path } },
    );
  }
  entry.users++;
  return entry.db;
}

export function registerDatabase(path: string, db: Database, keyFingerprint: string): void {
  openDatabases.set(path, { db, users: 1, keyFingerprint });
}

/** Returns true when this was the last user, and the store has been closed. */
export function releaseDatabase(path: string, db: Database): boolean {
  const entry = openDatabases.get(path);
  if (!entry || entry.db !== db) {
    db.store.close();
    return true;
  }
  entry.users--;
  if (entry.users > 0) return false;
  openDatabases.delete(path);
  db.store.close();
  return true;
}

/** The Database open on `path` in this process, if any (without taking a share of it). */
export function openDatabaseAt(path: string): Database | undefined {
  return openDatabases.get(path)?.db;
}

export function isOpen(path: string): boolean {
  return openDatabases.has(path);
}
