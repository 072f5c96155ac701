/** The App Services side of the SDK: App, Credentials, User and their helpers. */
export { App, DEFAULT_BASE_URL, accessTokenExpiry } from "./App.js";
export type { AppConfiguration } from "./App.js";
export { AppError, AppError as MongoDBRealmError } from "./AppError.js";
export { Credentials, ProviderType } from "./Credentials.js";
export { User, UserState } from "./User.js";
export type { UserIdentity, UserProfile } from "./User.js";
export { ApiKeyAuth } from "./ApiKeyAuth.js";
export type { ApiKey, SecretApiKey } from "./ApiKeyAuth.js";
export { EmailPasswordAuth } from "./EmailPasswordAuth.js";
export type { Functions } from "./FunctionsFactory.js";
export { MongoDB, MongoDBCollection } from "./MongoDBCollection.js";
export type {
  ChangeEvent,
  FindOneAndModifyOptions,
  FindOneOptions,
  FindOptions,
  UpdateOptions,
  UpdateResult,
  WatchOptions,
} from "./MongoDBCollection.js";
