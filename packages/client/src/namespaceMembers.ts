/**
 * The classes, enums and modules the `Realm` namespace carries, under the names Realm JS v12
 * gives them. Realm.ts merges each into the namespace, where it is both a value and a type.
 */
export * as BSON from "bson";
export * as Types from "./schema/propertyTypes.js";
export { RealmObject as Object } from "./objects/RealmObject.js";
export { Counter } from "./objects/Counter.js";
export { UpdateMode } from "./transaction/ObjectWriter.js";
export { OrderedCollection as Collection } from "./collections/OrderedCollection.js";
export { Results } from "./collections/Results.js";
export { List } from "./collections/List.js";
export { RealmSet as Set } from "./collections/RealmSet.js";
export { Dictionary } from "./collections/publicDictionary.js";
export { RealmError, TypeAssertionError } from "./errors.js";
export {
  ApiKeyAuth,
  App,
  AppError,
  Credentials,
  EmailPasswordAuth,
  MongoDBCollection,
  ProviderType,
  User,
  UserState,
} from "./app/index.js";
export { SyncSession } from "./sync/SyncSession.js";
export { ClientResetError, CompensatingWriteError, SyncError } from "./sync/SyncError.js";
export { MutableSubscriptionSet, Subscription, SubscriptionSet } from "./sync/SubscriptionSet.js";
export { ClientResetMode } from "./sync/SyncConfiguration.js";
export { ProgressRealmPromise, TimeoutError } from "./sync/ProgressRealmPromise.js";
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
