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
  /** What undoes `changeset` (sync rebase), kept beside it in the upload log. */
  readonly changesetUndo?: Uint8Array;
  /** The server version `changeset` was based on (the sync download cursor), kept beside it. */
  readonly changesetBaseServerVersion?: number;
  /** Replaces the undo data of changesets still in the upload log (after a rebase redid them). */
  readonly undoUpdates?: readonly { readonly version: number; readonly undo: Uint8Array }[];
  /** Drops changesets up to and including this version from the upload log. */
  readonly trimUploadLogThrough?: number;
  /** Bases every changeset left in the upload log on this server version (a client reset redid them there). */
  readonly rebaseUploadLogOn?: number;
  /** The sync metadata (opaque JSON text to the store). */
  readonly syncMetadata?: string;
}

export interface PendingChangeset {
  readonly version: number;
  readonly createdAt: number;
  readonly changeset: Uint8Array;
  /** The server version it was based on, as committed (0 when none was given). */
  readonly baseServerVersion: number;
}

export interface LocalStore {
  /** The stored schema, or undefined for a file that has never been opened with one. */
  readSchemaState(): StoredSchemaState | undefined;
  loadObjects(): Iterable<StoredObject>;
  /** Returns the version of the changeset appended to the upload log, if the batch had one. */
  commit(batch: CommitBatch): number | undefined;
  /** The undo data stored with each changeset still in the upload log after `afterVersion`, by version. */
  readUndoLog(afterVersion?: number): Map<number, Uint8Array>;
  /** The highest version ever appended to the upload log (trimmed or not), 0 if none. */
  lastUploadVersion(): number;
  /** The sync metadata last committed, as given. */
  readSyncMetadata(): string | undefined;
  /** Changesets not yet trimmed, oldest first, with version greater than `afterVersion`. */
  readUploadLog(afterVersion?: number): PendingChangeset[];
  /** Drops changesets up to and including `version` (once the server has them). */
  trimUploadLog(version: number): void;
  /**
   * Writes a consistent, compacted copy of the store to a new file at `path`, encrypted with
   * `encryptionKey` (a checked 64-byte key; null for none), or with this store's own key when
   * it is not given.
   */
  copyTo(path: string, encryptionKey?: Buffer | null): void;
  /** Bytes the store takes, and the part of them that holds data (the rest is free space). */
  sizes(): { readonly totalBytes: number; readonly usedBytes: number };
  /** Rewrites the store without its free space. */
  compact(): void;
  /** Drops the sync metadata and the upload log: the file is no longer a synced realm's. */
  clearSyncState(): void;
  close(): void;
}
