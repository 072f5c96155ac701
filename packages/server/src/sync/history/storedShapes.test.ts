import { Long, ObjectId } from "bson";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStorage } from "../../storage/openStorage.js";
import type { StorageEngine } from "../../storage/StorageEngine.js";
import { objectKey } from "../merge/integrateUpload.js";
import { CARS_NAMESPACE, carModel } from "../test-support/carsFixture.js";
import { ExternalChangeRecorder } from "./ExternalChangeRecorder.js";
import { historyEntryOp } from "./historyWrites.js";
import { SyncHistory } from "./SyncHistory.js";
import { HISTORY, OBJECT_META } from "./syncNamespaces.js";

describe("what an insert made outside sync leaves in sync history", () => {
  let storage: StorageEngine;
  let history: SyncHistory;
  let recorder: ExternalChangeRecorder;
  const pk = new ObjectId();

  beforeEach(async () => {
    storage = await openStorage("memory");
    history = new SyncHistory(storage, carModel);
    recorder = new ExternalChangeRecorder(storage, carModel);
    await storage.commit([
      {
        kind: "insert",
        ns: CARS_NAMESPACE,
        doc: { _id: pk, ownerId: "ann", make: "Ford", model: "T", miles: 5 },
      },
    ]);
  });
  afterEach(async () => storage.close());

  /** A concurrent upload (base 0) that set `miles` at `ts`: what integrating it dropped. */
  async function concurrentMilesUpload(ts: number): Promise<string[]> {
    const { ident } = await history.allocateFileIdent("ann");
    const result = await history.integrate(ident, {
      clientVersion: 1,
      writer: { ts, ident, baseVersion: 0 },
      instructions: [
        { type: "Update", table: "Car", pk, path: ["miles"], value: Long.fromNumber(7) },
      ],
    });
    return result.dropped.map((d) => d.reason);
  }

  it("holds the document once: the entry's changeset is derived from it when read", async () => {
    const [recorded] = await recorder.catchUp();
    const stored = await storage.get(HISTORY, 1);
    expect(stored?.doc.changeset).toBeUndefined();
    expect(stored?.doc.objects).toEqual([
      { table: "Car", pk, after: { _id: pk, ownerId: "ann", make: "Ford", model: "T", miles: 5 } },
    ]);
    expect(await history.entriesSince(0)).toEqual([recorded]);
  });

  it("reads an entry stored with its changeset, as stores written before hold them", async () => {
    const [recorded] = await recorder.catchUp();
    await storage.commit([
      {
        kind: "delete",
        ns: HISTORY,
        id: 1,
        expectedVersion: (await storage.get(HISTORY, 1))!.version,
      },
    ]);
    await storage.commit([historyEntryOp(recorded!)]);
    expect((await storage.get(HISTORY, 1))?.doc.changeset).toBeDefined();
    expect(await history.entriesSince(0)).toEqual([recorded]);
  });

  it("keeps the object's merge metadata as one clock, which a later concurrent write loses to", async () => {
    await recorder.catchUp();
    const meta = await storage.get(OBJECT_META, objectKey("Car", pk));
    expect(meta?.doc.clocks).toBeUndefined();
    expect(meta?.doc.paths).toEqual(
      expect.arrayContaining(['["ownerId"]', '["make"]', '["model"]', '["miles"]']),
    );
    expect(await concurrentMilesUpload(1)).toEqual(["a newer concurrent write won"]);
  });

  it("reads merge metadata stored as clock pairs, as stores written before hold it", async () => {
    const [entry] = await recorder.catchUp();
    const key = objectKey("Car", pk);
    const stamp = { ts: entry!.originTimestamp, ident: entry!.originIdent, version: 1 };
    const stored = await storage.get(OBJECT_META, key);
    await storage.commit([
      {
        kind: "replace",
        ns: OBJECT_META,
        doc: {
          _id: key,
          clocks: ['["ownerId"]', '["make"]', '["model"]', '["miles"]'].map((p) => [p, stamp]),
          additions: [],
        },
        expectedVersion: stored!.version,
      },
    ]);
    expect(await concurrentMilesUpload(1)).toEqual(["a newer concurrent write won"]);
    expect(await concurrentMilesUpload(entry!.originTimestamp + 1)).toEqual([]);
  });
});
