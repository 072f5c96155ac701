/**
 * The client's typed errors. Every error a Realm user can provoke is a `RealmError` with a stable
 * `code`; messages follow Realm JS's wording where Realm has one and always name the type and
 * property involved.
 */
import { AtollError } from "@atoll/protocol";

export const ClientErrorCode = {
  /** A write outside a write transaction, or a transaction call in the wrong state. */
  WrongTransactionState: "WrongTransactionState",
  ObjectTypeNotFound: "ObjectTypeNotFound",
  /** A value given for a property the type does not have. */
  UnknownProperty: "UnknownProperty",
  MissingProperty: "MissingProperty",
  PropertyTypeMismatch: "PropertyTypeMismatch",
  /** `create` with UpdateMode.Never for a primary key that exists. */
  ObjectAlreadyExists: "ObjectAlreadyExists",
  /** An object, list or Results used after its object was deleted or its realm closed. */
  InvalidatedObject: "InvalidatedObject",
  InvalidQuery: "InvalidQuery",
  InvalidSchema: "InvalidSchema",
  /** The file's schema differs from the one given, in a way that needs a migration. */
  SchemaMismatch: "SchemaMismatch",
  InvalidSchemaVersion: "InvalidSchemaVersion",
  ReadOnly: "ReadOnly",
  RealmClosed: "RealmClosed",
  UnsupportedFileFormat: "UnsupportedFileFormat",
  /** An `encryptionKey` that is not 64 bytes. */
  InvalidEncryptionKey: "InvalidEncryptionKey",
  /**
   * The file could not be read with the key given: a wrong key, no key for an encrypted file,
   * or a key for a file that is not encrypted.
   */
  DecryptionFailed: "DecryptionFailed",
  /** Another process has the realm file open; one process owns a realm file at a time. */
  RealmFileInUse: "RealmFileInUse",
  /** Asymmetric types can only be created. */
  AsymmetricQuery: "AsymmetricQuery",
  IndexOutOfRange: "IndexOutOfRange",
  /** A synced write transaction whose changeset is over the protocol's message limit. */
  TransactionTooLarge: "TransactionTooLarge",
  InvalidArgument: "InvalidArgument",
} as const;
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

export class RealmError extends AtollError<ClientErrorCode> {}

/** A value of the wrong type for a property (Realm JS's TypeAssertionError). */
export class TypeAssertionError extends RealmError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(ClientErrorCode.PropertyTypeMismatch, message, details ? { details } : {});
  }
}

export const errors = {
  notInTransaction(): RealmError {
    return new RealmError(
      ClientErrorCode.WrongTransactionState,
      "Cannot modify managed objects outside of a write transaction.",
    );
  },
  typeNotFound(name: string): RealmError {
    return new RealmError(
      ClientErrorCode.ObjectTypeNotFound,
      `Object type '${name}' not found in schema.`,
      {
        details: { objectType: name },
      },
    );
  },
  unknownProperty(type: string, property: string): RealmError {
    return new RealmError(
      ClientErrorCode.UnknownProperty,
      `Property '${type}.${property}' does not exist`,
      {
        details: { objectType: type, property },
      },
    );
  },
  missingProperty(type: string, property: string): RealmError {
    return new RealmError(
      ClientErrorCode.MissingProperty,
      `Missing value for property '${type}.${property}'`,
      {
        details: { objectType: type, property },
      },
    );
  },
  invalidated(type: string): RealmError {
    return new RealmError(
      ClientErrorCode.InvalidatedObject,
      `Accessing object of type ${type} which has been invalidated or deleted`,
      { details: { objectType: type } },
    );
  },
  closed(): RealmError {
    return new RealmError(ClientErrorCode.RealmClosed, "Cannot access realm that has been closed.");
  },
  readOnly(): RealmError {
    return new RealmError(
      ClientErrorCode.ReadOnly,
      "Can't perform transactions on read-only Realms.",
    );
  },
  invalidArgument(message: string): RealmError {
    return new RealmError(ClientErrorCode.InvalidArgument, message);
  },
  indexOutOfRange(where: string, index: number, size: number): RealmError {
    return new RealmError(
      ClientErrorCode.IndexOutOfRange,
      `Requested index ${index} calling ${where} on list of size ${size} is out of range`,
      { details: { index, size } },
    );
  },
};
