/**
 * The storage contract as a test suite every engine runs: `describeStorageContract("sqlite",
 * open)` where `open` returns a fresh, empty engine (and may be called again with the same
 * `reopenKey` to reopen what an earlier call created, for durability checks).
 */
import { Decimal128, Long, ObjectId, UUID, Binary } from "bson";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { StorageError } from "../StorageError.js";
import type { ChangeRecord, Namespace, StorageEngine } from "../StorageEngine.js";

export type OpenEngine = (reopenKey?: string) => Promise<StorageEngine>;

const CARS: Namespace = { db: "app", coll: "Car" };
const USERS: Namespace = { db: "__atoll", coll: "users" };

export function describeStorageContract(name: string, open: OpenEngine, reopenable = true): void {
  describe(`storage contract: ${name}`, () => {
    const opened: StorageEngine[] = [];
    const fresh = async (key?: string): Promise<StorageEngine> => {
      const engine = await open(key);
      opened.push(engine);
      return engine;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((engine) => engine.close()));
    });

    it("reads back a document with every BSON type it stored", async () => {
      const engine = await fresh();
      const doc = {
        _id: new ObjectId(),
        text: "héllo",
        int: 42,
        double: 2.5,
        wide: Long.fromString("9007199254740993"),
        dec: Decimal128.fromString("1234.5600"),
        when: new Date("2024-02-29T12:00:00.123Z"),
        uuid: new UUID(),
        bytes: new Binary(Buffer.from([1, 2, 3])),
        nested: { list: [1, "two", null, { three: true }] },
      };
      await engine.commit([{ kind: "insert", ns: CARS, doc }]);
      const stored = await engine.get(CARS, doc._id);
      expect(stored?.doc).toEqual(doc);
      expect((stored?.doc.wide as Long).toString()).toBe("9007199254740993");
    });

    it("keys documents by _id value per namespace and rejects duplicates", async () => {
      const engine = await fresh();
      const id = new ObjectId();
      await engine.commit([{ kind: "insert", ns: CARS, doc: { _id: id, n: 1 } }]);
      await engine.commit([
        { kind: "insert", ns: { db: "app", coll: "Other" }, doc: { _id: id, n: 2 } },
      ]);
      await engine.commit([{ kind: "insert", ns: CARS, doc: { _id: id.toHexString(), n: 3 } }]);
      await expect(
        engine.commit([
          { kind: "insert", ns: CARS, doc: { _id: new ObjectId(id.toHexString()), n: 4 } },
        ]),
      ).rejects.toMatchObject({ code: "DuplicateKey" });
      expect((await engine.get(CARS, new ObjectId(id.toHexString())))?.doc.n).toBe(1);
      expect((await engine.get(CARS, id.toHexString()))?.doc.n).toBe(3);
    });

    it("applies a batch atomically: one bad operation writes nothing", async () => {
      const engine = await fresh();
      await engine.commit([{ kind: "insert", ns: CARS, doc: { _id: 1 } }]);
      const before = await engine.lastSeq();
      await expect(
        engine.commit([
          { kind: "insert", ns: CARS, doc: { _id: 2 } },
          { kind: "insert", ns: CARS, doc: { _id: 1 } },
        ]),
      ).rejects.toBeInstanceOf(StorageError);
      expect(await engine.get(CARS, 2)).toBeNull();
      expect(await engine.lastSeq()).toBe(before);
    });

    it("rejects a write based on a stale version", async () => {
      const engine = await fresh();
      await engine.commit([{ kind: "insert", ns: CARS, doc: { _id: "a", n: 1 } }]);
      const read = await engine.get(CARS, "a");
      await engine.commit([
        { kind: "replace", ns: CARS, doc: { _id: "a", n: 2 }, expectedVersion: read!.version },
      ]);
      await expect(
        engine.commit([
          { kind: "replace", ns: CARS, doc: { _id: "a", n: 3 }, expectedVersion: read!.version },
        ]),
      ).rejects.toMatchObject({ code: "Conflict" });
      await expect(
        engine.commit([{ kind: "delete", ns: CARS, id: "missing", expectedVersion: 1 }]),
      ).rejects.toMatchObject({ code: "Conflict" });
      expect((await engine.get(CARS, "a"))?.doc.n).toBe(2);
    });

    it("records every change in order with gap-free sequence numbers, except __atoll databases", async () => {
      const engine = await fresh();
      const seen: ChangeRecord[] = [];
      engine.onCommit((records) => seen.push(...records));
      await engine.commit([{ kind: "insert", ns: CARS, doc: { _id: 1, n: 1 } }]);
      await engine.commit([{ kind: "insert", ns: USERS, doc: { _id: "u" } }]);
      const v = (await engine.get(CARS, 1))!.version;
      await engine.commit([
        {
          kind: "update",
          ns: CARS,
          doc: { _id: 1, n: 2 },
          expectedVersion: v,
          updateDescription: { updatedFields: { n: 2 }, removedFields: [] },
        },
      ]);
      const v2 = (await engine.get(CARS, 1))!.version;
      await engine.commit([{ kind: "delete", ns: CARS, id: 1, expectedVersion: v2 }]);
      const changes = await engine.changesSince(0);
      expect(changes.map((c) => [c.seq, c.operationType])).toEqual([
        [1, "insert"],
        [2, "update"],
        [3, "delete"],
      ]);
      expect(changes[1]?.updateDescription).toEqual({ updatedFields: { n: 2 }, removedFields: [] });
      expect(changes[1]?.fullDocument).toEqual({ _id: 1, n: 2 });
      expect(changes[2]?.fullDocumentBeforeChange).toEqual({ _id: 1, n: 2 });
      expect(changes[2]?.fullDocument).toBeUndefined();
      expect(seen).toEqual(changes);
      expect(await engine.changesSince(2)).toEqual(changes.slice(2));
      expect(await engine.lastSeq()).toBe(3);
    });

    it("keeps the origin a batch names on each of its change records", async () => {
      const engine = await fresh();
      const seen: ChangeRecord[] = [];
      engine.onCommit((records) => seen.push(...records));
      await engine.commit([{ kind: "insert", ns: CARS, doc: { _id: "s", n: 1 } }], {
        origin: "sync",
      });
      await engine.commit([{ kind: "insert", ns: CARS, doc: { _id: "f", n: 1 } }]);
      const changes = await engine.changesSince(0);
      expect(changes.map((c) => [c.documentKey._id, c.origin])).toEqual([
        ["s", "sync"],
        ["f", undefined],
      ]);
      expect(seen).toEqual(changes);
    });

    it("scans in insertion order, by ids exactly", async () => {
      const engine = await fresh();
      await engine.commit(
        ["c", "a", "b"].map((id) => ({ kind: "insert", ns: CARS, doc: { _id: id } }) as const),
      );
      expect((await engine.scan(CARS)).map((s) => s.doc._id)).toEqual(["c", "a", "b"]);
      expect(
        (await engine.scan(CARS, { ids: ["b", "c", "zz", "b"] })).map((s) => s.doc._id),
      ).toEqual(["c", "b"]);
      expect(await engine.listNamespaces()).toEqual([CARS]);
    });

    it("matches a model of the documents under random batches", async () => {
      const engine = await fresh();
      const op = fc.record({
        id: fc.integer({ min: 0, max: 5 }),
        kind: fc.constantFrom("put", "delete"),
        n: fc.integer(),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(op, { maxLength: 4 }), { maxLength: 8 }),
          async (batches) => {
            const ns = { db: "prop", coll: String(Math.random()) };
            const model = new Map<number, number>();
            for (const batch of batches) {
              // An id touched twice in one batch makes its second op stale: the batch must fail.
              const next = new Map(model);
              const writes = [];
              const touched = new Set<number>();
              let valid = true;
              for (const step of batch) {
                const current = await engine.get(ns, step.id);
                if (touched.has(step.id)) valid = false;
                touched.add(step.id);
                if (step.kind === "put") {
                  writes.push(
                    current === null
                      ? ({ kind: "insert", ns, doc: { _id: step.id, n: step.n } } as const)
                      : ({
                          kind: "replace",
                          ns,
                          doc: { _id: step.id, n: step.n },
                          expectedVersion: current.version,
                        } as const),
                  );
                  next.set(step.id, step.n);
                } else {
                  if (current === null) valid = false;
                  writes.push({
                    kind: "delete",
                    ns,
                    id: step.id,
                    expectedVersion: current?.version ?? -1,
                  } as const);
                  next.delete(step.id);
                }
              }
              const committed = await engine.commit(writes).then(
                () => true,
                () => false,
              );
              expect(committed).toBe(valid);
              if (committed) {
                model.clear();
                for (const [k, v] of next) model.set(k, v);
              }
            }
            const stored = await engine.scan(ns);
            expect(new Map(stored.map((s) => [s.doc._id as number, s.doc.n as number]))).toEqual(
              model,
            );
          },
        ),
        { numRuns: 40 },
      );
    });

    if (reopenable) {
      it("keeps committed documents and change records across a reopen", async () => {
        const key = `reopen-${Math.random()}`;
        const engine = await open(key);
        await engine.commit([{ kind: "insert", ns: CARS, doc: { _id: 7, make: "Honda" } }]);
        await engine.close();
        const again = await fresh(key);
        expect((await again.get(CARS, 7))?.doc).toEqual({ _id: 7, make: "Honda" });
        expect(await again.lastSeq()).toBe(1);
        await again.commit([{ kind: "insert", ns: CARS, doc: { _id: 8 } }]);
        expect((await again.changesSince(1)).map((c) => c.seq)).toEqual([2]);
      });
    }

    it("refuses work once closed with a Closed error, and tells commit listeners it closed", async () => {
      const engine = await open();
      let closed = 0;
      engine.onCommit(
        () => undefined,
        () => closed++,
      );
      await engine.close();
      expect(closed).toBe(1);
      await expect(engine.get(CARS, 1)).rejects.toMatchObject({ code: "Closed" });
    });
  });
}
