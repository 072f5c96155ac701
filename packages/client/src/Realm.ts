/**
 * `Realm`: a local object database with the Realm JS v12 API — open, write transactions,
 * create/delete, queries, listeners — over a LocalStore. Opened with a `sync` configuration it
 * is a synced realm: every commit feeds the upload log, the file's sync session (shared by the
 * realms on the file) keeps it in step with the server, and `subscriptions` says what to sync.
 */
import { existsSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { ClientErrorCode, RealmError, errors } from "./errors.js";
import type { Database } from "./core/Database.js";
import {
  isOpen,
  openDatabase,
  openDatabaseAt,
  registerDatabase,
  sharedDatabase,
} from "./core/openDatabase.js";
import { normalizeSchema } from "./schema/normalizeSchema.js";
import type { ClassInfo } from "./schema/ClassInfo.js";
import type { CanonicalObjectSchema, RealmObjectConstructor } from "./schema/types.js";
import { serializeSchema } from "./schema/compareSchemas.js";
import { toStoredPrimitive } from "./values/convert.js";
import { SqliteStore } from "./store/SqliteStore.js";
import type { LocalStore } from "./store/LocalStore.js";
import { checkEncryptionKey, keyFingerprint } from "./store/encryptionKey.js";
import { UpdateMode } from "./transaction/ObjectWriter.js";
import { Context } from "./core/Context.js";
import { WriteTransaction } from "./transaction/WriteTransaction.js";
import { currentTransaction, setTransaction } from "./transaction/openTransaction.js";
import type { RealmEventName, RealmListenerCallback } from "./listeners/ChangeNotifier.js";
import type { RealmObject } from "./objects/RealmObject.js";
import { rowOf } from "./objects/symbols.js";
import { buildPrototype } from "./objects/accessors.js";
import { Results } from "./collections/Results.js";
import { migrate } from "./migration.js";
import { inSchemaTransaction } from "./transaction/schemaTransaction.js";
import { deleteModel } from "./transaction/deleteModel.js";
import type { Configuration, MigrationCallback } from "./Configuration.js";
import { flags } from "./flags.js";
import * as members from "./namespaceMembers.js";
import type * as schemaTypes from "./schema/types.js";
import type * as changeSets from "./listeners/diff.js";
import type * as notifier from "./listeners/ChangeNotifier.js";
import type * as syncConfiguration from "./sync/SyncConfiguration.js";
import type * as syncTypes from "./sync/types.js";
import type { ProgressNotificationCallback as ProgressCallback } from "./sync/ProgressNotifier.js";
import type { ConnectionNotificationCallback as ConnectionCallback } from "./sync/SessionConnection.js";
import type { CompensatingWriteInfo as CompensatingWrite } from "./sync/SyncError.js";
import type { SubscriptionOptions as SubscribeOptions } from "./sync/SubscriptionSet.js";
import type { LogLevel as Level, Logger as LogFunction } from "./sync/logger.js";
import type * as appTypes from "./app/index.js";
import type { SortDescriptor as Sort } from "./collections/sorting.js";
import { localSyncStateFor } from "./sync/local/LocalSyncState.js";
import { setLogLevel, setLogger } from "./sync/logger.js";
import { releaseSync } from "./sync/sessionRegistry.js";
import {
  checkSyncConfiguration,
  checkSyncedSchema,
  defaultSyncedPath,
} from "./sync/SyncConfiguration.js";
import type { SyncConfiguration } from "./sync/SyncConfiguration.js";
import { attachSync, waitBeforeOpen } from "./sync/syncedRealm.js";
import type { SyncedRealmState } from "./sync/syncedRealm.js";
import type { SubscriptionSet } from "./sync/SubscriptionSet.js";
import type { SyncSession } from "./sync/SyncSession.js";
import { ProgressRealmPromise } from "./sync/ProgressRealmPromise.js";
import { writeCopy } from "./sync/writeCopy.js";
import type { OpenTask } from "./sync/ProgressRealmPromise.js";

/** The Database under each realm, for `databaseOf`. */
const databases = new WeakMap<Realm, Database>();

/**
 * For code inside the repository that works below the API (tests, benchmarks): the Database a
 * realm stands on. Not exported from the package.
 */
export function databaseOf(realm: Realm): Database {
  const db = databases.get(realm);
  if (!db) throw new Error("not a realm opened by this module");
  return db;
}

type TypeArg<T> = string | (abstract new (...args: never[]) => T);

const DEFAULT_PATH = "default.realm";
const UPDATE_MODES: ReadonlySet<unknown> = new Set(Object.values(UpdateMode));

function resolvePath(config: Configuration): string {
  return resolve(config.path ?? Realm.defaultPath);
}

export class Realm {
  static defaultPath = DEFAULT_PATH;
  static readonly flags = flags;
  static readonly setLogLevel = setLogLevel;
  static readonly setLogger = setLogger;

  readonly path: string;
  readonly inMemory: boolean;
  readonly isReadOnly: boolean;
  readonly schemaVersion: number;
  private readonly context: Context;
  private readonly synced: SyncedRealmState<Realm> | undefined;
  /** The checked encryption key; copies of the file (client reset) are opened with it. */
  private readonly encryptionKey: Buffer | undefined;

  /** The key under which this realm's database is shared in the process. */
  get registryKey(): string {
    return this.inMemory ? `memory:${this.path}` : this.path;
  }
  private closed = false;

  /**
   * Opens a realm; resolves once it is ready. Local realms are ready at once; a synced realm by
   * default (downloadBeforeOpen, 30 s at most) once its subscriptions' data is downloaded. The
   * promise reports the download's progress and can be cancelled.
   */
  static open(config: Configuration = {}): ProgressRealmPromise<Realm> {
    return new ProgressRealmPromise<Realm>((task) => Realm.openAndWait(config, task));
  }

  private static async openAndWait(config: Configuration, task: OpenTask): Promise<Realm> {
    const sync = config.sync?.user ? config.sync : undefined;
    const existed = sync !== undefined && Realm.exists(withSyncedPath(config));
    const realm = new Realm(config);
    const synced = realm.synced;
    if (!synced || !sync) return realm;
    const behavior = existed ? sync.existingRealmFileBehavior : sync.newRealmFileBehavior;
    // Closed within cancel() itself, so whoever sees the rejection finds the file released.
    const closeOnCancel = (): void => realm.close();
    task.signal.addEventListener("abort", closeOnCancel, { once: true });
    try {
      await waitBeforeOpen(synced, behavior, task);
    } catch (error) {
      realm.close();
      throw error;
    } finally {
      task.signal.removeEventListener("abort", closeOnCancel);
    }
    return realm;
  }

  /** Deletes the realm file and its companions (WAL, shared memory). */
  static deleteFile(config: Configuration): void {
    const path = resolvePath(config);
    if (isOpen(path))
      throw errors.invalidArgument(`Cannot delete the realm file at '${path}' while it is open`);
    for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(path + suffix, { force: true });
  }

  static exists(config: Configuration): boolean {
    return existsSync(resolvePath(config));
  }

  /**
   * The schema version stored in the file at `path`, or -1 if there is no realm there. An
   * encrypted file needs its key.
   */
  static schemaVersion(path: string, encryptionKey?: Configuration["encryptionKey"]): number {
    const key = checkEncryptionKey(encryptionKey);
    const open = openDatabaseAt(resolve(path));
    if (open) return open.store.readSchemaState()?.schemaVersion ?? -1;
    if (!existsSync(path)) return -1;
    const store = new SqliteStore(path, { readOnly: true, encryptionKey: key });
    try {
      return store.readSchemaState()?.schemaVersion ?? -1;
    } finally {
      store.close();
    }
  }

  constructor(config: Configuration | string = {}) {
    const options = withSyncedPath(typeof config === "string" ? { path: config } : config);
    this.encryptionKey = checkEncryptionKey(options.encryptionKey);
    this.inMemory = options.inMemory === true;
    this.isReadOnly = options.readOnly === true;
    this.path = this.inMemory ? (options.path ?? ":memory:") : resolvePath(options);
    this.schemaVersion = options.schemaVersion ?? 0;
    const db = this.openOrShare(options);
    this.context = new Context(this, db, true);
    databases.set(this, db);
    const sync = options.sync ? checkSyncConfiguration<Realm>(options.sync) : undefined;
    this.synced = sync ? this.startSync(db, sync) : undefined;
  }

  private startSync(db: Database, sync: SyncConfiguration<Realm>): SyncedRealmState<Realm> {
    try {
      checkSyncedSchema(db.schema);
      return attachSync<Realm>(this, {
        key: this.registryKey,
        local: localSyncStateFor(db),
        config: sync,
        schema: db.schema,
        schemaVersion: this.schemaVersion,
        path: this.path,
        copy: () => this.readOnlyCopy(db, `${this.path}.before-reset`),
      });
    } catch (error) {
      this.closed = true;
      this.context.close();
      throw error;
    }
  }

  /** A read-only realm on a copy of this one's file at `path` (replacing any file there). */
  private readOnlyCopy(db: Database, path: string): { realm: Realm; dispose(): void } {
    Realm.deleteFile({ path });
    db.store.copyTo(path);
    const realm = new Realm({
      path,
      schemaVersion: this.schemaVersion,
      readOnly: true,
      encryptionKey: this.encryptionKey,
    });
    return {
      realm,
      dispose: () => {
        realm.close();
        Realm.deleteFile({ path });
      },
    };
  }

  private openOrShare(options: Configuration): Database {
    const registryKey = this.registryKey;
    const canonical = options.schema ? normalizeSchema(options.schema) : undefined;
    const fingerprint = keyFingerprint(this.encryptionKey);
    const shared = sharedDatabase(registryKey, canonical, fingerprint);
    if (shared) return shared;
    const openStore = (): LocalStore => {
      const store = new SqliteStore(this.inMemory ? ":memory:" : this.path, {
        readOnly: this.isReadOnly,
        encryptionKey: this.encryptionKey,
      });
      if (options.shouldCompact && !this.isReadOnly && !this.inMemory) {
        try {
          const { totalBytes, usedBytes } = store.sizes();
          if (options.shouldCompact(totalBytes, usedBytes)) store.compact();
        } catch (error) {
          store.close();
          throw error;
        }
      }
      return store;
    };
    const open = (): ReturnType<typeof openDatabase> =>
      openDatabase(openStore, {
        schema: options.schema,
        schemaVersion: this.schemaVersion,
        readOnly: this.isReadOnly,
        recordChangesets: options.sync !== undefined,
        hasMigration: options.onMigration !== undefined,
        deleteRealmIfMigrationNeeded: options.deleteRealmIfMigrationNeeded === true,
      });
    let opened: ReturnType<typeof openDatabase>;
    try {
      opened = open();
    } catch (error) {
      const mismatch = error instanceof RealmError && error.code === ClientErrorCode.SchemaMismatch;
      if (!mismatch || options.deleteRealmIfMigrationNeeded !== true || this.inMemory) throw error;
      Realm.deleteFile({ path: this.path });
      opened = open();
    }
    const { db } = opened;
    try {
      for (const cls of db.classes.values()) cls.proto = buildPrototype(cls);
      if (opened.migrateFrom) {
        migrate(
          db,
          opened.migrateFrom,
          this.schemaVersion,
          options.onMigration,
          (database, readOnly, version) => Realm.attach(database, readOnly, version, this),
        );
      } else if (opened.schemaChanged) {
        const schemaState = {
          schemaVersion: this.schemaVersion,
          schema: serializeSchema(db.schema),
        };
        const onFirstOpen = opened.created ? options.onFirstOpen : undefined;
        // The initial data is committed with the new file's schema: if onFirstOpen throws, the
        // file stays without one and the next open is a first open again.
        if (onFirstOpen) {
          inSchemaTransaction(db, schemaState, () =>
            onFirstOpen(Realm.attach(db, false, this.schemaVersion, this)),
          );
        } else db.store.commit({ upserts: [], deletes: [], schemaState });
      }
    } catch (error) {
      db.store.close();
      throw error;
    }
    registerDatabase(registryKey, db, fingerprint);
    return db;
  }

  /** A Realm over an existing Database (migrations hand these to onMigration). */
  private static attach(
    db: Database,
    readOnly: boolean,
    schemaVersion: number,
    like: Realm,
  ): Realm {
    const realm = Object.create(Realm.prototype) as Realm;
    const fields = realm as unknown as Record<string, unknown>;
    fields.path = like.path;
    fields.inMemory = like.inMemory;
    fields.isReadOnly = readOnly;
    fields.encryptionKey = like.encryptionKey;
    fields.schemaVersion = schemaVersion;
    fields.closed = false;
    fields.context = new Context(realm, db, false);
    databases.set(realm, db);
    return realm;
  }

  /** True for a realm opened with `inMemory: true`: its data is never written to disk. */
  get isInMemory(): boolean {
    return this.inMemory;
  }

  /**
   * Realm JS copies realm files shipped in a React Native app's bundle to where the app can
   * open them. A Node app reads its files where they are (open a shipped one by `path`, or copy
   * it with `fs` first), so there is nothing to copy: this does nothing.
   */
  static copyBundledRealmFiles(): void {}

  get isClosed(): boolean {
    return this.closed;
  }

  get isInTransaction(): boolean {
    return !this.closed && currentTransaction(this.context.db) !== undefined;
  }

  get isEmpty(): boolean {
    this.context.checkOpen();
    const db = this.context.db;
    for (const cls of db.classes.values()) if (cls.rows.size > 0) return false;
    // Ingested objects stay on the device, in the upload log, until the server has them.
    return !db.pendingIngest.any();
  }

  get schema(): CanonicalObjectSchema[] {
    return [...this.context.db.schema];
  }

  /** The sync session of a synced realm; null for a local one. */
  get syncSession(): SyncSession | null {
    return this.synced?.attachment.session ?? null;
  }

  /** The realm's newest subscription set (flexible sync only). */
  get subscriptions(): SubscriptionSet<Realm> {
    if (!this.synced) {
      throw errors.invalidArgument(
        "`subscriptions` can only be accessed if flexible sync is enabled, but the sync configuration is missing",
      );
    }
    return this.synced.subscriptions;
  }

  close(): void {
    if (this.closed) return;
    if (this.isInTransaction) this.cancelTransaction();
    this.closed = true;
    if (this.synced) releaseSync(this.registryKey, this.synced.attachment);
    this.context.close();
  }

  /**
   * Rewrites the file without its free space (what deleted objects left). Returns true, as
   * Realm does when the compaction succeeded.
   */
  compact(): boolean {
    this.context.checkOpen();
    if (this.isInTransaction)
      throw new RealmError(
        ClientErrorCode.WrongTransactionState,
        "Cannot compact a Realm within a transaction.",
      );
    if (this.isReadOnly)
      throw new RealmError(ClientErrorCode.ReadOnly, "Can't compact a read-only Realm");
    this.context.db.store.compact();
    return true;
  }

  /**
   * Writes a compacted copy of the realm to a new file at `config.path`, encrypted with
   * `config.encryptionKey` if given (see writeCopy.ts for what a synced realm's copy keeps).
   */
  writeCopyTo(config: Configuration): void {
    this.context.checkOpen();
    if (this.isInTransaction) {
      throw new RealmError(
        ClientErrorCode.WrongTransactionState,
        "Can only convert Realms outside a transaction.",
      );
    }
    const db = this.context.db;
    writeCopy(db.store, config, this.synced ? localSyncStateFor(db) : undefined);
  }

  // --- transactions --------------------------------------------------------------------------

  beginTransaction(): void {
    this.context.checkOpen();
    if (this.isReadOnly) throw errors.readOnly();
    const db = this.context.db;
    if (currentTransaction(db)) {
      throw new RealmError(
        ClientErrorCode.WrongTransactionState,
        "The Realm is already in a write transaction",
      );
    }
    setTransaction(db, new WriteTransaction(db));
  }

  commitTransaction(): void {
    const { db, txn } = this.endTransaction("commit");
    const changes = txn.commit();
    for (const context of db.contexts) context.onCommit(changes);
  }

  cancelTransaction(): void {
    this.endTransaction("cancel").txn.rollback();
  }

  /** Detaches the open write transaction so it can be committed or rolled back. */
  private endTransaction(verb: "commit" | "cancel") {
    this.context.checkOpen();
    const db = this.context.db;
    const txn = currentTransaction(db);
    if (!txn)
      throw new RealmError(
        ClientErrorCode.WrongTransactionState,
        `Can't ${verb} a non-existing write transaction`,
      );
    setTransaction(db, undefined);
    return { db, txn };
  }

  /** Runs `callback` in a write transaction: commits if it returns, rolls back and rethrows if it throws. */
  write<T>(callback: () => T): T {
    this.beginTransaction();
    let result: T;
    try {
      result = callback();
    } catch (error) {
      if (currentTransaction(this.context.db)) this.cancelTransaction();
      throw error;
    }
    if (currentTransaction(this.context.db)) this.commitTransaction();
    return result;
  }

  // --- objects ---------------------------------------------------------------------------------

  private classOf(type: TypeArg<unknown>): ClassInfo {
    this.context.checkOpen();
    const name =
      typeof type === "string"
        ? type
        : ((type as RealmObjectConstructor).schema?.name ?? type.name);
    const cls = this.context.db.classes.get(name);
    if (!cls) throw errors.typeNotFound(name);
    return cls;
  }

  create<T = RealmObject>(
    type: TypeArg<T>,
    values: Partial<T> | Record<string, unknown>,
    mode: UpdateMode | boolean = UpdateMode.Never,
  ): T {
    const cls = this.classOf(type);
    const updateMode = mode === true ? UpdateMode.All : mode === false ? UpdateMode.Never : mode;
    if (!UPDATE_MODES.has(updateMode)) {
      throw errors.invalidArgument(
        `Unsupported 'updateMode'. Only '${Object.values(UpdateMode).join("', '")}' are supported.`,
      );
    }
    const row = this.context.writer().create(cls, values, updateMode);
    return this.context.objectFor(row) as unknown as T;
  }

  /** Creates an object of an asymmetric (data ingest) type, in a write transaction. */
  ingest<T = RealmObject>(type: TypeArg<T>, values: Partial<T> | Record<string, unknown>): void {
    const cls = this.classOf(type);
    if (!cls.asymmetric) {
      throw errors.invalidArgument(
        `ingest() is for asymmetric types, and '${cls.name}' is not one: use create()`,
      );
    }
    this.context.writer().create(cls, values, UpdateMode.Never);
  }

  /**
   * Deletes every object of a type and takes the type out of the realm's schema; for a type no
   * longer in the schema (in a migration), deletes the objects the file still holds of it.
   * Needs a write transaction.
   */
  deleteModel(name: string): void {
    this.context.checkOpen();
    const db = this.context.db;
    const txn = currentTransaction(db);
    if (!txn) {
      throw new RealmError(
        ClientErrorCode.WrongTransactionState,
        "Can only delete objects within a transaction.",
      );
    }
    deleteModel(db, txn, this.context.writer(), name, this.schemaVersion);
  }

  /** Deletes an object, the objects of a Results, List or array. */
  delete(subject: unknown): void {
    const writer = this.context.writer();
    if (subject === null || subject === undefined)
      throw errors.invalidArgument("delete() needs an object or a collection");
    const row = rowOf(subject);
    if (row) {
      writer.delete(row);
      return;
    }
    if (typeof subject === "object" && Symbol.iterator in subject) {
      const rows = [...(subject as Iterable<unknown>)].map((item) => rowOf(item));
      for (const item of rows) if (item?.alive) writer.delete(item);
      return;
    }
    throw errors.invalidArgument("delete() needs a Realm object or a collection of them");
  }

  deleteAll(): void {
    const writer = this.context.writer();
    for (const cls of this.context.db.classes.values()) {
      if (cls.embedded) continue;
      for (const row of [...cls.rows.values()]) if (row.alive) writer.delete(row);
    }
  }

  objects<T = RealmObject>(type: TypeArg<T>): Results<T & RealmObject> {
    const cls = this.classOf(type);
    if (cls.asymmetric) {
      throw new RealmError(
        ClientErrorCode.AsymmetricQuery,
        `You cannot query an asymmetric object ('${cls.name}').`,
      );
    }
    return new Results<T & RealmObject>(
      this.context,
      cls,
      () => [...cls.rows.values()],
      [],
      undefined,
      true,
    );
  }

  objectForPrimaryKey<T = RealmObject>(
    type: TypeArg<T>,
    primaryKey: unknown,
  ): (T & RealmObject) | null {
    const cls = this.classOf(type);
    if (cls.asymmetric) {
      throw new RealmError(
        ClientErrorCode.AsymmetricQuery,
        `You cannot query an asymmetric object ('${cls.name}').`,
      );
    }
    if (!cls.pk) throw errors.invalidArgument(`'${cls.name}' does not have a primary key defined`);
    const value = toStoredPrimitive(
      cls.pk.qualifiedName,
      cls.pk.element,
      cls.pk.optional,
      primaryKey,
    );
    const row = this.context.db.findByPrimaryKey(cls, value);
    return row ? (this.context.objectFor(row) as unknown as T & RealmObject) : null;
  }

  // --- listeners ---------------------------------------------------------------------------

  addListener(name: RealmEventName, callback: RealmListenerCallback): void {
    this.context.checkOpen();
    checkEventName(name);
    this.context.notifier.addRealmListener(name, callback);
  }

  removeListener(name: RealmEventName, callback: RealmListenerCallback): void {
    checkEventName(name);
    this.context.notifier.removeRealmListener(name, callback);
  }

  removeAllListeners(name?: RealmEventName): void {
    if (name === undefined) this.context.notifier.removeAll();
    else this.context.notifier.removeRealmListener(name);
  }
}

/**
 * `Realm` is also a namespace, as in Realm JS: `Realm.Results<Car>`, `Realm.ObjectSchema`,
 * `Realm.BSON.ObjectId`, `Realm.Types.Int`. Classes, enums and modules are merged in as values
 * and types at once (`new Realm.BSON.ObjectId()`, `class Car extends Realm.Object<Car>`);
 * interfaces and callbacks as types only.
 */
// eslint-disable-next-line @typescript-eslint/no-namespace -- the merge with the class is the API
export namespace Realm {
  export import BSON = members.BSON;
  export import Types = members.Types;
  export import Object = members.Object;
  export import Counter = members.Counter;
  export import UpdateMode = members.UpdateMode;
  export import Collection = members.Collection;
  export import Results = members.Results;
  export import List = members.List;
  export import Set = members.Set;
  export import Dictionary = members.Dictionary;
  export import RealmError = members.RealmError;
  export import TypeAssertionError = members.TypeAssertionError;
  export import App = members.App;
  export import AppError = members.AppError;
  export import MongoDBRealmError = members.AppError;
  export import Credentials = members.Credentials;
  export import ProviderType = members.ProviderType;
  export import User = members.User;
  export import UserState = members.UserState;
  export import ApiKeyAuth = members.ApiKeyAuth;
  export import EmailPasswordAuth = members.EmailPasswordAuth;
  export import MongoDBCollection = members.MongoDBCollection;
  export import SyncSession = members.SyncSession;
  export import SyncError = members.SyncError;
  export import CompensatingWriteError = members.CompensatingWriteError;
  export import ClientResetError = members.ClientResetError;
  export import ClientResetMode = members.ClientResetMode;
  export import Subscription = members.Subscription;
  export import SubscriptionSet = members.SubscriptionSet;
  export import MutableSubscriptionSet = members.MutableSubscriptionSet;
  export import SubscriptionSetState = members.SubscriptionSetState;
  export import ConnectionState = members.ConnectionState;
  export import SessionState = members.SessionState;
  export import ProgressDirection = members.ProgressDirection;
  export import ProgressMode = members.ProgressMode;
  export import OpenRealmBehaviorType = members.OpenRealmBehaviorType;
  export import OpenRealmTimeOutBehavior = members.OpenRealmTimeOutBehavior;
  export import WaitForSync = members.WaitForSync;
  export import ProgressRealmPromise = members.ProgressRealmPromise;
  export import TimeoutError = members.TimeoutError;

  export type Mixed = unknown;
  export type Configuration = RealmConfiguration;
  export type MigrationCallback = RealmMigrationCallback;
  export type ObjectSchema = schemaTypes.ObjectSchema;
  export type PropertySchema = schemaTypes.PropertySchema;
  export type ObjectSchemaProperty = schemaTypes.PropertySchema;
  export type PropertySchemaShorthand = schemaTypes.PropertySchemaShorthand;
  export type PropertiesTypes = schemaTypes.PropertiesTypes;
  export type PropertyTypeName = schemaTypes.PropertyTypeName;
  export type CanonicalObjectSchema = schemaTypes.CanonicalObjectSchema;
  export type CanonicalPropertySchema = schemaTypes.CanonicalPropertySchema;
  export type RealmObjectConstructor = schemaTypes.RealmObjectConstructor;
  export type ObjectClass = schemaTypes.RealmObjectConstructor;
  export type SortDescriptor = Sort;
  export type CollectionChangeSet = changeSets.CollectionChangeSet;
  export type DictionaryChangeSet = changeSets.DictionaryChangeSet;
  export type CollectionChangeCallback = notifier.CollectionChangeCallback;
  export type ObjectChangeSet<T> = notifier.ObjectChangeSet<T>;
  export type ObjectChangeCallback<T> = notifier.ObjectChangeCallback<T>;
  export type SyncConfiguration = syncConfiguration.SyncConfiguration<Realm>;
  export type FlexibleSyncConfiguration = syncConfiguration.SyncConfiguration<Realm>;
  export type ClientResetConfig = syncConfiguration.ClientResetConfig<Realm>;
  export type ClientResetFallbackCallback = syncConfiguration.ClientResetFallbackCallback;
  export type ClientResetBeforeCallback = syncConfiguration.ClientResetBeforeCallback<Realm>;
  export type ClientResetAfterCallback = syncConfiguration.ClientResetAfterCallback<Realm>;
  export type ErrorCallback = syncConfiguration.ErrorCallback;
  export type OpenRealmBehaviorConfiguration = syncTypes.OpenRealmBehaviorConfiguration;
  export type ProgressNotificationCallback = ProgressCallback;
  export type ConnectionNotificationCallback = ConnectionCallback;
  export type CompensatingWriteInfo = CompensatingWrite;
  export type SubscriptionOptions = SubscribeOptions;
  export type LogLevel = Level;
  export type Logger = LogFunction;
  export type AppConfiguration = appTypes.AppConfiguration;
  export type UserProfile = appTypes.UserProfile;
  export type DefaultUserProfileData = appTypes.UserProfile;
  export type UserIdentity = appTypes.UserIdentity;
}

/** The module-level names the namespace re-exports under the same names. */
type RealmConfiguration = Configuration;
type RealmMigrationCallback = MigrationCallback;

/** A synced configuration with its default path filled in. */
function withSyncedPath(config: Configuration): Configuration {
  if (config.sync === undefined) return config;
  const sync = checkSyncConfiguration<Realm>(config.sync);
  if (!sync || config.path !== undefined) return config;
  return { ...config, path: defaultSyncedPath(sync.user) };
}

function checkEventName(name: string): void {
  if (name !== "change" && name !== "schema") {
    throw errors.invalidArgument(
      `Unknown event name '${name}': only 'change' and 'schema' are supported`,
    );
  }
}
