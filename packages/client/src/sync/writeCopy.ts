/**
 * `realm.writeCopyTo(config)`: a compacted copy of the realm in a new file, as Realm JS v12
 * converts between local and synced realms.
 * - Without `config.sync` the copy is a local realm: the objects, without sync metadata or
 *   upload log. Any realm can be copied so.
 * - With `config.sync` (flexible) the copy is a bundled synced realm: it keeps the download
 *   cursor and the subscriptions, and takes a new identity from the server when it is first
 *   opened with sync, so several devices can start from it. Only a synced realm can be copied
 *   so, and only once all its changes are uploaded: a changeset left in the copy's upload log
 *   would be uploaded twice, once by each file.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Configuration } from "../Configuration.js";
import { ClientErrorCode, RealmError, errors } from "../errors.js";
import { checkEncryptionKey } from "../store/encryptionKey.js";
import type { LocalStore } from "../store/LocalStore.js";
import { SqliteStore } from "../store/SqliteStore.js";
import type { LocalSyncState } from "./local/LocalSyncState.js";
import type { SyncMetadata } from "./local/syncTypes.js";

/** What a bundled copy starts with: the same view and cursor, and no identity of its own yet. */
function bundledMetadata(metadata: SyncMetadata): SyncMetadata {
  return {
    ...metadata,
    clientFileIdent: null,
    download: { serverVersion: metadata.download.serverVersion, lastIntegratedClientVersion: 0 },
    reset: null,
  };
}

export function writeCopy(
  store: LocalStore,
  config: Configuration,
  /** The source's local sync state; undefined for a local realm. */
  sync: LocalSyncState | undefined,
): void {
  if (typeof config?.path !== "string")
    throw errors.invalidArgument("`path` property must be a string");
  const key = checkEncryptionKey(config.encryptionKey);
  const path = resolve(config.path);
  if (existsSync(path)) throw errors.invalidArgument(`File at path '${path}' already exists`);
  if (config.sync !== undefined) {
    if (!sync) {
      throw errors.invalidArgument(
        "Realm cannot be converted to a flexible sync realm unless flexible sync is already enabled",
      );
    }
    if (sync.pendingUploads().length > 0 || sync.pendingReset() !== null) {
      throw new RealmError(
        ClientErrorCode.InvalidArgument,
        "All client changes must be integrated in server before writing copy",
      );
    }
  }
  store.copyTo(path, key ?? null);
  const copy = new SqliteStore(path, { encryptionKey: key });
  try {
    if (config.sync !== undefined && sync) {
      copy.commit({
        upserts: [],
        deletes: [],
        syncMetadata: JSON.stringify(bundledMetadata(sync.metadata())),
      });
    } else {
      copy.clearSyncState();
    }
  } finally {
    copy.close();
  }
}
