import { Long, ObjectId } from "bson";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStorage } from "../../storage/openStorage.js";
import type { StorageEngine } from "../../storage/StorageEngine.js";
import { CARS_NAMESPACE, carModel } from "../test-support/carsFixture.js";
import { ExternalChangeRecorder } from "./ExternalChangeRecorder.js";
import { SERVER_FILE_IDENT, SyncHistory } from "./SyncHistory.js";

describe("writes made outside sync", () => {
  let storage: StorageEngine;
  let history: SyncHistory;
  let recorder: ExternalChangeRecorder;
  const pk = new ObjectId();

  beforeEach(async () => {
    storage = await openStorage("memory");
    history = new SyncHistory(storage, carModel);
    recorder = new ExternalChangeRecorder(storage, carModel);
  });
  afterEach(async () => storage.close());

  async function externalInsert(doc: Record<string, unknown>) {
    await storage.commit([{ kind: "insert", ns: CARS_NAMESPACE, doc }]);
  }

  it("enter history once each, as server-originated changesets, and never sync's own writes", async () => {
    await externalInsert({ _id: pk, ownerId: "ann", make: "Ford", miles: 5 });
    await storage.commit([{ kind: "insert", ns: { db: "other", coll: "x" }, doc: { _id: 1 } }]);
    const recorded = await recorder.catchUp();
    expect(await recorder.catchUp()).toHaveLength(0);
    // The entries as recorded are what storage gives back (the entry cache takes them as built).
    expect(recorded).toEqual(await history.entriesSince(0));
    const [entry] = recorded;
    expect(entry?.originIdent).toBe(SERVER_FILE_IDENT);
    expect(entry?.instructions[0]).toEqual({ type: "CreateObject", table: "Car", pk });
    expect(entry?.instructions).toContainEqual({
      type: "Update",
      table: "Car",
      pk,
      path: ["miles"],
      value: Long.fromNumber(5),
    });
    // an upload sync integrates is already history: the recorder must not add it again
    const { ident } = await history.allocateFileIdent("ann");
    await history.integrate(ident, {
      clientVersion: 1,
      writer: { ts: Date.now(), ident, baseVersion: 1 },
      instructions: [{ type: "Update", table: "Car", pk, path: ["make"], value: "Kia" }],
    });
    expect(await recorder.catchUp()).toHaveLength(0);
    expect(await history.latestVersion()).toBe(2);
  });

  it("leave out a document no device can hold, and go on recording the writes after it", async () => {
    await externalInsert({ _id: { not: "a primary key" }, ownerId: "ann", make: "Odd" });
    await externalInsert({ _id: pk, ownerId: "ann", make: "Ford", miles: 5 });
    const recorded = await recorder.catchUp();
    expect(recorded.map((entry) => entry.instructions[0])).toEqual([
      { type: "CreateObject", table: "Car", pk },
    ]);
    expect(await recorder.catchUp()).toHaveLength(0);
  });

  it("win over a concurrent upload that wrote the same field earlier", async () => {
    await externalInsert({ _id: pk, ownerId: "ann", make: "Ford", miles: 5 });
    await recorder.catchUp();
    const stored = await storage.get(CARS_NAMESPACE, pk);
    await storage.commit([
      {
        kind: "update",
        ns: CARS_NAMESPACE,
        doc: { ...stored!.doc, miles: 50 },
        expectedVersion: stored!.version,
        updateDescription: { updatedFields: { miles: 50 }, removedFields: [] },
      },
    ]);
    expect(await recorder.catchUp()).toEqual(await history.entriesSince(1));
    const { ident } = await history.allocateFileIdent("ann");
    const result = await history.integrate(ident, {
      clientVersion: 1,
      writer: { ts: 1, ident, baseVersion: 1 }, // had not seen the update, and wrote long before it
      instructions: [
        { type: "Update", table: "Car", pk, path: ["miles"], value: Long.fromNumber(7) },
      ],
    });
    expect(result.dropped.map((d) => d.reason)).toEqual(["a newer concurrent write won"]);
    expect((await storage.get(CARS_NAMESPACE, pk))?.doc.miles).toBe(50);
  });

  it("make an erase that wins over concurrent uploads", async () => {
    await externalInsert({ _id: pk, ownerId: "ann", make: "Ford" });
    await recorder.catchUp();
    const stored = await storage.get(CARS_NAMESPACE, pk);
    await storage.commit([
      { kind: "delete", ns: CARS_NAMESPACE, id: pk, expectedVersion: stored!.version },
    ]);
    expect(await recorder.catchUp()).toEqual(await history.entriesSince(1));
    const [, erase] = await history.entriesSince(0);
    expect(erase?.instructions).toEqual([{ type: "EraseObject", table: "Car", pk }]);
    const { ident } = await history.allocateFileIdent("ann");
    const result = await history.integrate(ident, {
      clientVersion: 1,
      writer: { ts: Date.now(), ident, baseVersion: 1 },
      instructions: [{ type: "Update", table: "Car", pk, path: ["make"], value: "Kia" }],
    });
    expect(result.dropped.map((d) => d.reason)).toEqual(["the object was erased concurrently"]);
  });
});
