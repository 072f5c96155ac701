/**
 * History compaction (App Services' `client_max_offline_days`). Client files not seen for
 * longer than the allowed time are marked expired; history entries at or below the floor are
 * deleted, the floor being the lowest server version any other file may still need:
 *
 *   floor = min(latest server version,
 *               for each client file not expired: min(downloadVersion, uploadBase))
 *
 * `downloadVersion` is the cursor the client itself last reported (never what the server sent
 * it, which it may not have integrated), `uploadBase` the base of its last integrated upload
 * (later uploads are based at or above it); a file that never reported a cursor counts as 0.
 * The floor never goes down. It is stored in the same batch as each chunk of deletions, so a
 * reader that finds an entry missing can always tell, by reading the floor, that it was
 * compacted (see `SyncHistory.entriesSince`).
 */
import type { StorageEngine, WriteOp } from "../../storage/StorageEngine.js";
import { clientFileFromDocument, recordSeen, type ClientFileRecord } from "./clientFileRecords.js";
import { counterOp, counterValue, isConflict } from "./historyWrites.js";
import { CLIENT_FILES, COUNTERS, HISTORY } from "./syncNamespaces.js";

/** The counter holding the compaction floor: entries at or below it are gone. */
export const FLOOR_COUNTER = "historyFloor";

/** Entries deleted per storage batch. */
const CHUNK = 500;

export interface CompactionPolicy {
  /** The current time (ms since the Unix epoch). */
  readonly now: number;
  /** How long a file may stay unseen before it expires (ms). */
  readonly maxOfflineMs: number;
}

export interface Compaction {
  /** The floor after this compaction. */
  readonly floor: number;
  /** History entries deleted. */
  readonly removed: number;
  /** Client files this compaction marked expired. */
  readonly expired: readonly number[];
}

export async function compactHistory(
  storage: StorageEngine,
  policy: CompactionPolicy,
): Promise<Compaction> {
  const latest = counterValue(await storage.get(COUNTERS, "serverVersion"));
  let floor = latest;
  const expired: number[] = [];
  for (const stored of await storage.scan(CLIENT_FILES)) {
    const file = clientFileFromDocument(stored.doc);
    if (file.expired) continue;
    if (file.lastSeen === undefined) {
      // Stored before files were timed: its offline time starts counting now.
      await recordSeen(storage, file.ident, { at: policy.now });
    } else if (policy.now - file.lastSeen > policy.maxOfflineMs) {
      if (await markExpired(storage, stored.doc, stored.version)) {
        expired.push(file.ident);
        continue;
      }
      // Written meanwhile (it connected or uploaded): still live, with at least these needs.
    }
    floor = Math.min(floor, needs(file));
  }
  const { removed, floor: reached } = await deleteThrough(storage, floor);
  return { floor: reached, removed, expired };
}

/** The lowest server version after which the file may still need history. */
function needs(file: ClientFileRecord): number {
  return Math.min(file.downloadVersion ?? 0, file.uploadBase ?? Number.MAX_SAFE_INTEGER);
}

async function markExpired(
  storage: StorageEngine,
  doc: Record<string, unknown>,
  version: number,
): Promise<boolean> {
  try {
    await storage.commit([
      {
        kind: "replace",
        ns: CLIENT_FILES,
        doc: { ...doc, expired: true },
        expectedVersion: version,
      },
    ]);
    return true;
  } catch (error) {
    if (isConflict(error)) return false;
    throw error;
  }
}

/** Deletes the entries from the stored floor through `floor`, raising the stored floor with each chunk. */
async function deleteThrough(
  storage: StorageEngine,
  floor: number,
): Promise<{ removed: number; floor: number }> {
  let counter = await storage.get(COUNTERS, FLOOR_COUNTER);
  let done = counterValue(counter);
  let removed = 0;
  while (done < floor) {
    const through = Math.min(floor, done + CHUNK);
    const ids = Array.from({ length: through - done }, (_, i) => done + 1 + i);
    const stored = await storage.scan(HISTORY, { ids });
    const batch: WriteOp[] = stored.map(({ doc, version }) => ({
      kind: "delete",
      ns: HISTORY,
      id: doc._id,
      expectedVersion: version,
    }));
    batch.push(counterOp(FLOOR_COUNTER, through, counter));
    await storage.commit(batch);
    removed += stored.length;
    done = through;
    counter = await storage.get(COUNTERS, FLOOR_COUNTER);
  }
  return { removed, floor: done };
}
