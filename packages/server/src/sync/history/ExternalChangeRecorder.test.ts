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

  it("record a bulk write in batches, each object once, its fields stamped by the last change", async () => {
    const batched = new ExternalChangeRecorder(storage, carModel, 100);
    const cars = Array.from({ length: 250 }, (_, i) => ({
      _id: new ObjectId(),
      ownerId: "ann",
      make: "Ford",
      miles: i,
    }));
    await storage.commit(cars.map((doc) => ({ kind: "insert", ns: CARS_NAMESPACE, doc })));
    const first = await storage.get(CARS_NAMESPACE, cars[0]!._id);
    await storage.commit([
      {
        kind: "update",
        ns: CARS_NAMESPACE,
        doc: { ...first!.doc, miles: 1000 },
        expectedVersion: first!.version,
        updateDescription: { updatedFields: { miles: 1000 }, removedFields: [] },
      },
    ]);
    const steps = [];
    for (;;) {
      const step = await batched.recordBatch();
      if (step.done) break;
      steps.push(step.entries.length);
    }
    expect(steps).toEqual([100, 100, 51]);
    const entries = await history.entriesSince(0, 1000);
    expect(entries.map((entry) => entry.version)).toEqual(
      Array.from({ length: 251 }, (_, i) => i + 1),
    );
    // The update, recorded last, wins over an upload that had not seen it.
    const { ident } = await history.allocateFileIdent("ann");
    const result = await history.integrate(ident, {
      clientVersion: 1,
      writer: { ts: 1, ident, baseVersion: 1 },
      instructions: [
        {
          type: "Update",
          table: "Car",
          pk: cars[0]!._id,
          path: ["miles"],
          value: Long.fromNumber(7),
        },
      ],
    });
    expect(result.dropped.map((d) => d.reason)).toEqual(["a newer concurrent write won"]);
  });

  it("record an object inserted again after an erase", async () => {
    await externalInsert({ _id: pk, ownerId: "ann", make: "Ford" });
    await recorder.catchUp();
    const stored = await storage.get(CARS_NAMESPACE, pk);
    await storage.commit([
      { kind: "delete", ns: CARS_NAMESPACE, id: pk, expectedVersion: stored!.version },
    ]);
    await recorder.catchUp();
    await externalInsert({ _id: pk, ownerId: "ann", make: "Kia" });
    const [again] = await recorder.catchUp();
    expect(again?.instructions).toContainEqual({ type: "CreateObject", table: "Car", pk });
    expect(again?.objects[0]?.after).toMatchObject({ make: "Kia" });
  });

  it("never record a change twice when two nodes share the store and race", async () => {
    const nodes = [0, 1, 2].map(() => new ExternalChangeRecorder(storage, carModel, 7));
    const cars = Array.from({ length: 60 }, () => ({
      _id: new ObjectId(),
      ownerId: "ann",
      make: "Ford",
    }));
    for (const doc of cars) await externalInsert(doc);
    const recorded = (await Promise.all(nodes.map((node) => node.catchUp()))).flat();
    const entries = await history.entriesSince(0, 1000);
    expect(entries.map((entry) => entry.objects[0]?.pk)).toEqual(cars.map((car) => car._id));
    expect(recorded.map((entry) => entry.version).sort((a, b) => a - b)).toEqual(
      entries.map((entry) => entry.version),
    );
  });

  it("record what this process committed as the feed would give it back", async () => {
    const held = new ExternalChangeRecorder(storage, carModel);
    const stopHolding = storage.onCommit((records) => held.hold(records));
    await externalInsert({ _id: pk, ownerId: "ann", make: "Ford", miles: 5 });
    stopHolding();
    // written by "another node": not held, read from the feed
    await externalInsert({ _id: new ObjectId(), ownerId: "bob", make: "Kia" });
    const recorded = await held.catchUp();
    expect(recorded).toEqual(await history.entriesSince(0));
    expect(recorded).toHaveLength(2);
  });
});
