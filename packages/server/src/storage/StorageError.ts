import { AtollError } from "@atoll/protocol";

/**
 * Failures a storage engine reports on purpose. The data layer turns `DuplicateKey` into
 * MongoDB's E11000 error and retries on `Conflict`; `Closed` and `Corrupt` reach operators.
 */
export const StorageErrorCode = {
  /** An insert named an `_id` that the namespace already holds. */
  DuplicateKey: "DuplicateKey",
  /** A document changed or vanished since the version the writer read. */
  Conflict: "Conflict",
  /** The engine was closed. */
  Closed: "Closed",
  /** A stored value could not be decoded, or the store's schema is newer than this server. */
  Corrupt: "Corrupt",
  /** The storage spec string is not understood. */
  BadSpec: "BadSpec",
} as const;
export type StorageErrorCode = (typeof StorageErrorCode)[keyof typeof StorageErrorCode];

export class StorageError extends AtollError<StorageErrorCode> {}
