/**
 * The storage contract as a test suite every engine runs: `describeStorageContract("sqlite",
 * open)` where `open` returns a fresh, empty engine (and may be called again with the same
 * `reopenKey` to open another instance on what an earlier call created: for durability
 * checks after a close, and for the clauses about several instances on one database while
 * the first is still open). A store that cannot be opened twice (SQLite in memory) passes
 * `reopenable = false` and skips those clauses.
 */
import { Decimal128, Long, ObjectId, UUID, Binary } from "bson";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { StorageError } from "../StorageError.js";
import type { ChangeRecord, Namespace, StorageEngine } from "../StorageEngine.js";

export type OpenEngine = (reopenKey?: string) => Promise<StorageEngine>;

const CARS: Namespace = { db: "app", coll: "Car" };
const USERS: Namespace = { db: "__atoll", coll: "users" };

/** A callback and a promise that resolves the first time it is called. */
function nextCall(): { call: () => void; called: Promise<void> } {
  let call = (): void => undefined;
  const called = new Promise<void>((resolve) => {
    call = resolve;
  });
  return { call, called };
}

function expectIncreasing(seqs: readonly number[]): void {
  for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!);
}

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

    it("records every change in order with increasing sequence numbers, except __atoll databases", async () => {
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
      expect(changes.map((c) => c.operationType)).toEqual(["insert", "update", "delete"]);
      expectIncreasing(changes.map((c) => c.seq));
      expect(changes[1]?.updateDescription).toEqual({ updatedFields: { n: 2 }, removedFields: [] });
      expect(changes[1]?.fullDocument).toEqual({ _id: 1, n: 2 });
      expect(changes[2]?.fullDocumentBeforeChange).toEqual({ _id: 1, n: 2 });
      expect(changes[2]?.fullDocument).toBeUndefined();
      expect(seen).toEqual(changes);
      expect(await engine.changesSince(changes[1]!.seq)).toEqual(changes.slice(2));
      expect(await engine.changesSince(changes[0]!.seq, 1)).toEqual(changes.slice(1, 2));
      expect(await engine.lastSeq()).toBe(changes[2]!.seq);
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

    it("streams a scan in pages equal to the scan, narrowed or not", async () => {
      const engine = await fresh();
      await engine.commit(
        Array.from({ length: 7 }, (_, i) => ({
          kind: "insert" as const,
          ns: CARS,
          doc: { _id: `k${(i * 5) % 7}`, n: i },
        })),
      );
      const pages: (readonly unknown[])[] = [];
      for await (const page of engine.scanStream(CARS, {}, 3))
        pages.push(page.map((s) => s.doc._id));
      expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
      expect(pages.flat()).toEqual((await engine.scan(CARS)).map((s) => s.doc._id));
      const filter = { n: { $gte: 2, $lt: 5 } };
      const narrowed: unknown[] = [];
      for await (const page of engine.scanStream(CARS, { filter }, 2))
        narrowed.push(...page.map((s) => s.doc.n));
      expect(narrowed.filter((n) => (n as number) >= 2 && (n as number) < 5)).toEqual([2, 3, 4]);
      const byId: unknown[] = [];
      for await (const page of engine.scanStream(CARS, { ids: ["k3", "k0"] }, 1))
        byId.push(...page.map((s) => s.doc._id));
      expect(byId).toEqual(["k0", "k3"]);
    });

    it("streams one state of the namespace while others commit, and releases an abandoned stream", async () => {
      const engine = await fresh();
      await engine.commit(
        [0, 1, 2, 3, 4, 5].map((i) => ({ kind: "insert" as const, ns: CARS, doc: { _id: i } })),
      );
      const seen: unknown[] = [];
      let wrote = false;
      for await (const page of engine.scanStream(CARS, {}, 2)) {
        seen.push(...page.map((s) => s.doc._id));
        if (wrote) continue;
        wrote = true;
        const last = (await engine.get(CARS, 5))!;
        await engine.commit([
          { kind: "delete", ns: CARS, id: 5, expectedVersion: last.version },
          { kind: "insert", ns: CARS, doc: { _id: 6 } },
        ]);
      }
      expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
      for (let i = 0; i < 25; i++) {
        for await (const page of engine.scanStream(CARS, {}, 1)) {
          expect(page).toHaveLength(1);
          break;
        }
      }
      expect((await engine.scan(CARS)).map((s) => s.doc._id)).toEqual([0, 1, 2, 3, 4, 6]);
    });

    it("wakes every listener of a channel, the notifier's own included", async () => {
      const engine = await fresh();
      const woken = nextCall();
      const channel = "history-appended.0123456789abcdefghij";
      const stop = engine.listen(channel, woken.call);
      await engine.notify(channel);
      await woken.called;
      stop();
    });

    if (reopenable) {
      it("lets two instances commit concurrently: no lost update, every change recorded once", async () => {
        const key = `shared-${Math.random()}`;
        const a = await fresh(key);
        const b = await fresh(key);
        const follower = await fresh(key);
        await a.commit([{ kind: "insert", ns: CARS, doc: { _id: "counter", n: 0 } }]);
        // Of two writes based on one version, exactly one succeeds.
        const read = (await a.get(CARS, "counter"))!;
        const race = await Promise.allSettled(
          [a, b].map((engine) =>
            engine.commit([
              {
                kind: "replace",
                ns: CARS,
                doc: { _id: "counter", n: 0 },
                expectedVersion: read.version,
              },
            ]),
          ),
        );
        expect(race.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
        expect(race.find((r) => r.status === "rejected")).toMatchObject({
          reason: { code: "Conflict" },
        });
        const increments = 15;
        const increment = async (engine: StorageEngine, by: string): Promise<void> => {
          for (let done = 0; done < increments;) {
            const current = (await engine.get(CARS, "counter"))!;
            const n = current.doc.n as number;
            const committed = await engine
              .commit(
                [
                  {
                    kind: "update",
                    ns: CARS,
                    doc: { _id: "counter", n: n + 1 },
                    expectedVersion: current.version,
                    updateDescription: { updatedFields: { n: n + 1 }, removedFields: [] },
                  },
                  { kind: "insert", ns: CARS, doc: { _id: `${by}${done}` } },
                ],
                { origin: by },
              )
              .then(
                () => true,
                (error: unknown) => {
                  if ((error as { code?: unknown }).code !== "Conflict") throw error;
                  return false;
                },
              );
            if (committed) done++;
          }
        };
        // A follower stepping through the feed while the writers commit misses nothing.
        const followed: number[] = [];
        let writing = true;
        const follow = (async () => {
          let cursor = 0;
          for (;;) {
            const last = !writing;
            for (const record of await follower.changesSince(cursor)) {
              followed.push(record.seq);
              cursor = record.seq;
            }
            if (last) return;
            await new Promise((resolve) => setImmediate(resolve));
          }
        })();
        await Promise.all([increment(a, "a"), increment(b, "b")]);
        writing = false;
        await follow;
        expect((await a.get(CARS, "counter"))!.doc.n).toBe(2 * increments);
        const records = await follower.changesSince(0, 10_000);
        expectIncreasing(records.map((r) => r.seq));
        // The insert, the race's winner, then each increment's update followed by its insert.
        expect(records).toHaveLength(2 + 4 * increments);
        expect(followed).toEqual(records.map((r) => r.seq));
        const inserted = records
          .filter((r) => r.operationType === "insert")
          .map((r) => r.documentKey._id);
        expect(new Set(inserted).size).toBe(1 + 2 * increments);
      });

      it("tells each instance's commit listeners of every instance's batches, in seq order, once each", async () => {
        const key = `listeners-${Math.random()}`;
        const a = await fresh(key);
        const b = await fresh(key);
        const batches = 12;
        const heard = [a, b].map((engine) => {
          const seen: (readonly ChangeRecord[])[] = [];
          const all = nextCall();
          engine.onCommit((records) => {
            seen.push(records);
            if (seen.length === batches) all.call();
          });
          return { seen, all };
        });
        await Promise.all(
          [a, b].map(async (engine, which) => {
            for (let i = 0; i < batches / 2; i++) {
              await engine.commit([
                { kind: "insert", ns: CARS, doc: { _id: `${which}-${i}-x` } },
                { kind: "insert", ns: CARS, doc: { _id: `${which}-${i}-y` } },
              ]);
            }
          }),
        );
        await Promise.all(heard.map((h) => h.all.called));
        const feed = await a.changesSince(0);
        for (const { seen } of heard) {
          expect(seen.every((batch) => batch.length === 2)).toBe(true);
          expect(seen.flat()).toEqual(feed);
        }
      });

      it("wakes listeners of another instance on the same database", async () => {
        const key = `wake-${Math.random()}`;
        const a = await fresh(key);
        const b = await fresh(key);
        let calls = 0;
        let next = nextCall();
        a.listen("jobs", () => {
          calls++;
          next.call();
        });
        // Once a's own wake-up arrived, its subscription is in place.
        await a.notify("jobs");
        await next.called;
        next = nextCall();
        const before = calls;
        await b.notify("jobs");
        await next.called;
        expect(calls).toBeGreaterThan(before);
      });

      it("keeps committed documents and change records across a reopen", async () => {
        const key = `reopen-${Math.random()}`;
        const engine = await open(key);
        await engine.commit([{ kind: "insert", ns: CARS, doc: { _id: 7, make: "Honda" } }]);
        await engine.close();
        const again = await fresh(key);
        expect((await again.get(CARS, 7))?.doc).toEqual({ _id: 7, make: "Honda" });
        const [first] = await again.changesSince(0);
        expect(await again.lastSeq()).toBe(first!.seq);
        const [record] = await again.commit([{ kind: "insert", ns: CARS, doc: { _id: 8 } }]);
        expect(record!.seq).toBeGreaterThan(first!.seq);
        expect(await again.changesSince(first!.seq)).toEqual([
          expect.objectContaining({ seq: record!.seq, documentKey: { _id: 8 } }),
        ]);
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
