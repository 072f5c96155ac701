/**
 * The storage contract under a Realm. The API layer keeps the live state in memory and hands
 * each committed write transaction to the store as one batch; a browser store (IndexedDB or
 * SQLite-in-WASM behind an in-memory front) can implement the same contract later.
 *
 * Contract:
 * - `commit` is atomic: after a crash the store holds either the whole batch or none of it.
 * - `commit` is durable against a crash of the process once it returns (see each store for
 *   what it promises about a power loss).
 * - Changesets in the upload log are numbered in commit order, starting at 1, never reused.
 * - The on-disk format carries a version; a store refuses a file of a version it does not know.
 */

/** One object as stored: its properties are an opaque encoded document (see rowCodec). */
export interface StoredObject {
  readonly key: number;
  readonly className: string;
  /** Key of the owning object for embedded objects, 0 for top-level ones. */
  readonly owner: number;
  /** Encoded properties: a BSON document, or JSON text (see rowCodec). */
  readonly data: Uint8Array | string;
}

export interface StoredSchemaState {
  readonly schemaVersion: number;
  /** The canonical schema the file was last opened with, as plain JSON data. */
  readonly schema: unknown;
}

export interface CommitBatch {
  readonly upserts: readonly StoredObject[];
  readonly deletes: readonly number[];
  readonly schemaState?: StoredSchemaState;
  /** Appended to the upload log in the same atomic commit. */
  readonly changeset?: Uint8Array;
}

export interface PendingChangeset {
  readonly version: number;
  readonly createdAt: number;
  readonly changeset: Uint8Array;
}

export interface LocalStore {
  /** The stored schema, or undefined for a file that has never been opened with one. */
  readSchemaState(): StoredSchemaState | undefined;
  loadObjects(): Iterable<StoredObject>;
  commit(batch: CommitBatch): void;
  /** Changesets not yet trimmed, oldest first, with version greater than `afterVersion`. */
  readUploadLog(afterVersion?: number): PendingChangeset[];
  /** Drops changesets up to and including `version` (once the server has them). */
  trimUploadLog(version: number): void;
  close(): void;
}
