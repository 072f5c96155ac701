/**
 * @atoll/client: the Realm JS v12 API over a local store. `Realm` is both the default and a
 * named export; as in Realm JS it is also a namespace (`Realm.Object`, `Realm.Results<T>`,
 * `Realm.BSON.ObjectId`, `Realm.Types.Int`), and the same classes and types are named exports.
 */
import { Realm } from "./Realm.js";

export { Realm };
export default Realm;
export * as BSON from "bson";
export type { Configuration, MigrationCallback } from "./Configuration.js";
export { RealmObject as Object } from "./objects/RealmObject.js";
export type { ObjectChangeCallback, ObjectChangeSet } from "./objects/RealmObject.js";
export { Counter } from "./objects/Counter.js";
export { UpdateMode } from "./transaction/ObjectWriter.js";
export { Results } from "./collections/Results.js";
export { List } from "./collections/List.js";
export { RealmSet as Set } from "./collections/RealmSet.js";
export { Dictionary } from "./collections/publicDictionary.js";
export type { CollectionChangeSet, DictionaryChangeSet } from "./listeners/diff.js";
export { ClientErrorCode, RealmError, TypeAssertionError } from "./errors.js";
export type {
  CanonicalObjectSchema,
  CanonicalPropertySchema,
  IndexedType,
  ObjectSchema,
  PropertySchema,
  PropertiesTypes,
  PropertyTypeName,
} from "./schema/types.js";
export type {
  CommitBatch,
  LocalStore,
  PendingChangeset,
  StoredObject,
} from "./store/LocalStore.js";
export { SqliteStore, STORE_FORMAT_VERSION } from "./store/SqliteStore.js";
export * from "./app/index.js";
export { SyncSession } from "./sync/SyncSession.js";
export type { ConnectionNotificationCallback } from "./sync/SessionConnection.js";
export { ClientResetError, CompensatingWriteError, SyncError } from "./sync/SyncError.js";
export type { CompensatingWriteInfo } from "./sync/SyncError.js";
export { MutableSubscriptionSet, Subscription, SubscriptionSet } from "./sync/SubscriptionSet.js";
export type { SubscriptionOptions } from "./sync/SubscriptionSet.js";
export { ClientResetMode } from "./sync/SyncConfiguration.js";
export { ProgressRealmPromise, TimeoutError } from "./sync/ProgressRealmPromise.js";
export type {
  ClientResetAfterCallback,
  ClientResetBeforeCallback,
  ClientResetConfig,
  ClientResetFallbackCallback,
  ErrorCallback,
  InitialSubscriptions,
  SyncConfiguration,
} from "./sync/SyncConfiguration.js";
export type { ProgressNotificationCallback } from "./sync/ProgressNotifier.js";
export { setLogLevel, setLogger } from "./sync/logger.js";
export type { LogLevel, Logger } from "./sync/logger.js";
export {
  ConnectionState,
  OpenRealmBehaviorType,
  OpenRealmTimeOutBehavior,
  ProgressDirection,
  ProgressMode,
  SessionState,
  SubscriptionSetState,
  WaitForSync,
} from "./sync/types.js";
export type { OpenRealmBehaviorConfiguration } from "./sync/types.js";
