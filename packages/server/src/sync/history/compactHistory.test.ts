import { SyncErrorCode, SyncProtocolError } from "@atoll/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Document } from "../../data/types.js";
import { openStorage } from "../../storage/openStorage.js";
import type { StorageEngine } from "../../storage/StorageEngine.js";
import { carModel } from "../test-support/carsFixture.js";
import { compactHistory } from "./compactHistory.js";
import { counterOp, historyEntryOp } from "./historyWrites.js";
import { SyncHistory } from "./SyncHistory.js";
import { CLIENT_FILES, COUNTERS, HISTORY } from "./syncNamespaces.js";

const DAY = 24 * 60 * 60 * 1000;
const NOW = 100 * DAY;
const policy = { now: NOW, maxOfflineMs: 30 * DAY };

describe("history compaction", () => {
  let storage: StorageEngine;
  let history: SyncHistory;

  beforeEach(async () => {
    storage = await openStorage("memory");
    history = new SyncHistory(storage, carModel);
  });
  afterEach(async () => storage.close());

  /** Server versions 1..count, made by the server. */
  async function appendEntries(count: number): Promise<void> {
    const counter = await storage.get(COUNTERS, "serverVersion");
    const from = (counter?.doc.value as number | undefined) ?? 0;
    const ops = [counterOp("serverVersion", from + count, counter)];
    for (let version = from + 1; version <= from + count; version++)
      ops.push(
        historyEntryOp({
          version,
          originIdent: 1,
          originTimestamp: 0,
          clientVersion: 0,
          instructions: [],
        }),
      );
    await storage.commit(ops);
  }

  async function addFile(ident: number, fields: Document): Promise<void> {
    const doc = { _id: ident, salt: 1, userId: "u", integratedClientVersion: 0, ...fields };
    await storage.commit([{ kind: "insert", ns: CLIENT_FILES, doc }]);
  }

  async function storedVersions(): Promise<number[]> {
    const stored = await storage.scan(HISTORY);
    return stored.map(({ doc }) => doc._id as number).sort((a, b) => a - b);
  }

  it("deletes the entries at or below the lowest need of the files still live, and keeps the rest", async () => {
    await appendEntries(10);
    await addFile(2, { lastSeen: NOW - DAY, downloadVersion: 7, uploadBase: 5 });
    await addFile(3, { lastSeen: NOW - 2 * DAY, downloadVersion: 6 });
    await addFile(4, { lastSeen: NOW - 31 * DAY, downloadVersion: 1 });

    const done = await compactHistory(storage, policy);

    expect(done).toEqual({ floor: 5, removed: 5, expired: [4] });
    expect(await storedVersions()).toEqual([6, 7, 8, 9, 10]);
    expect((await history.clientFile(4))?.expired).toBe(true);
    expect((await history.clientFile(2))?.expired).toBeUndefined();
    expect(await history.loadFloor()).toBe(5);
  });

  it("never lowers the floor, and compacts everything when no live file needs history", async () => {
    await appendEntries(4);
    await addFile(2, { lastSeen: NOW, downloadVersion: 3 });
    expect((await compactHistory(storage, policy)).floor).toBe(3);
    await storage.commit([
      {
        kind: "replace",
        ns: CLIENT_FILES,
        doc: { _id: 2, salt: 1, userId: "u", integratedClientVersion: 0, lastSeen: 0 },
        expectedVersion: (await storage.get(CLIENT_FILES, 2))!.version,
      },
    ]);
    await appendEntries(2);
    const done = await compactHistory(storage, policy);
    expect(done).toEqual({ floor: 6, removed: 3, expired: [2] });
    expect(await storedVersions()).toEqual([]);
  });

  it("starts the offline time of a file stored before files were timed, and keeps what it may need", async () => {
    await appendEntries(3);
    await addFile(2, {});
    const done = await compactHistory(storage, policy);
    expect(done).toEqual({ floor: 0, removed: 0, expired: [] });
    expect((await history.clientFile(2))?.lastSeen).toBe(NOW);
    expect(await storedVersions()).toEqual([1, 2, 3]);
  });

  it("fails a read of compacted history with 222 rather than returning fewer entries", async () => {
    await appendEntries(6);
    await addFile(2, { lastSeen: NOW, downloadVersion: 4 });
    await compactHistory(storage, policy);
    // This history has not read the floor yet: the missing entries tell it.
    const read = history.entriesSince(2, 10);
    await expect(read).rejects.toBeInstanceOf(SyncProtocolError);
    await expect(read).rejects.toMatchObject({ code: SyncErrorCode.ClientFileExpired });
    expect(history.floor).toBe(4);
    expect((await history.entriesSince(4, 10)).map((e) => e.version)).toEqual([5, 6]);
  });
});
