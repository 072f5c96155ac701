/** How a realm is opened: `new Realm(config)`, `Realm.open(config)` (Realm JS v12 names). */
import type { Realm } from "./Realm.js";
import type { SchemaEntry } from "./schema/types.js";
import type { SyncConfiguration, UploadLogOnlyConfiguration } from "./sync/SyncConfiguration.js";

export interface Configuration {
  schema?: SchemaEntry[];
  path?: string;
  inMemory?: boolean;
  schemaVersion?: number;
  onMigration?: MigrationCallback;
  readOnly?: boolean;
  deleteRealmIfMigrationNeeded?: boolean;
  /** 64 bytes: the file (with its sync metadata) is encrypted with it, and needs it to be opened. */
  encryptionKey?: ArrayBuffer | ArrayBufferView | Int8Array;
  /**
   * Called when the file is first opened in the process (not read-only, not in memory) with
   * the bytes it takes and the bytes holding data; returning true compacts it before use.
   */
  shouldCompact?: (totalBytes: number, usedBytes: number) => boolean;
  /**
   * Called once, when this open creates the file, inside the write transaction that records
   * its schema: objects created here are in the file from the start (create them without
   * `write()`). If it throws, nothing is written and the open fails.
   */
  onFirstOpen?: (realm: Realm) => void;
  /** Present for synced realms (flexible sync). */
  sync?: SyncConfiguration<Realm> | UploadLogOnlyConfiguration;
}

export type MigrationCallback = (oldRealm: Realm, newRealm: Realm) => void;
