import { createOwnerOnlyFile } from "./ownerOnlyFiles.js";
import { SqliteStorage } from "./SqliteStorage.js";
import { StorageError } from "./StorageError.js";
import type { StorageEngine } from "./StorageEngine.js";

/**
 * Opens the engine a spec names: `sqlite:<file>` (created owner-only, with its directories, if missing) or `memory` (SQLite in memory, gone when closed).
 */
export async function openStorage(spec: string): Promise<StorageEngine> {
  if (spec === "memory") return new SqliteStorage(":memory:");
  if (spec.startsWith("sqlite:")) {
    const file = spec.slice("sqlite:".length);
    if (file === "")
      throw new StorageError("BadSpec", `storage spec "${spec}" names no file (sqlite:<file>)`);
    try {
      createOwnerOnlyFile(file);
      return new SqliteStorage(file);
    } catch (cause) {
      if (cause instanceof StorageError) throw cause;
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new StorageError("BadSpec", `cannot open SQLite store "${file}": ${reason}`, { cause });
    }
  }
  throw new StorageError("BadSpec", `unknown storage spec "${spec}": use sqlite:<file> or memory`);
}
