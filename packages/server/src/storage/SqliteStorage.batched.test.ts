import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { ObjectId } from "bson";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteStorage } from "./SqliteStorage.js";
import type { ChangeRecord, Namespace, WriteOp } from "./StorageEngine.js";

const dir = mkdtempSync(join(tmpdir(), "atoll-batched-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NAMESPACES: readonly Namespace[] = [
  { db: "app", coll: "Reading" },
  { db: "app", coll: "Car" },
  { db: "__atoll", coll: "users" },
];
/** A small pool, so inserts collide with stored documents and with each other. */
const IDS: readonly unknown[] = [
  new ObjectId("65f0a1b2c3d4e5f6a7b8c901"),
  new ObjectId("65f0a1b2c3d4e5f6a7b8c902"),
  "a",
  'quote"d',
  "é😀\ud800",
  7,
  -0.5,
];

type OpSpec =
  | { kind: "insert"; ns: number; id: number; value: string }
  | { kind: "bulk"; ns: number; count: number }
  | { kind: "replace" | "update" | "delete"; ns: number; id: number; stale: boolean };

const nsIndex = fc.nat(NAMESPACES.length - 1);
const idIndex = fc.nat(IDS.length - 1);
const opSpec: fc.Arbitrary<OpSpec> = fc.oneof(
  fc.record({ kind: fc.constant("insert" as const), ns: nsIndex, id: idIndex, value: fc.string() }),
  // Runs long enough to span several multi-row statements, fresh ids.
  fc.record({ kind: fc.constant("bulk" as const), ns: nsIndex, count: fc.nat(150) }),
  fc.record({
    kind: fc.constantFrom("replace" as const, "update" as const, "delete" as const),
    ns: nsIndex,
    id: idIndex,
    stale: fc.boolean(),
  }),
);
const commitSpecs = fc.array(fc.array(opSpec, { maxLength: 6 }), { minLength: 1, maxLength: 6 });

let files = 0;
const open = (rowByRow: boolean) => {
  const file = join(dir, `${files++}.db`);
  let tick = 0;
  const now = () => new Date(1_800_000_000_000 + tick++);
  return { file, storage: new SqliteStorage(file, { now, rowByRow }) };
};

/** The write ops of one commit, with the versions the reference engine holds now. */
async function toOps(
  specs: readonly OpSpec[],
  reference: SqliteStorage,
  fresh: { next: number },
): Promise<WriteOp[]> {
  const ops: WriteOp[] = [];
  for (const spec of specs) {
    const ns = NAMESPACES[spec.ns] as Namespace;
    if (spec.kind === "bulk") {
      for (let i = 0; i < spec.count; i++) {
        const _id = new ObjectId(`aa${(fresh.next++).toString(16).padStart(22, "0")}`);
        ops.push({ kind: "insert", ns, doc: { _id, at: new Date(fresh.next), n: i / 3 } });
      }
      continue;
    }
    const id = IDS[spec.id];
    if (spec.kind === "insert") {
      ops.push({ kind: "insert", ns, doc: { _id: id, value: spec.value } });
      continue;
    }
    const stored = await reference.get(ns, id);
    const expectedVersion = (stored?.version ?? 1) + (spec.stale ? 1 : 0);
    if (spec.kind === "delete") ops.push({ kind: "delete", ns, id, expectedVersion });
    else if (spec.kind === "replace")
      ops.push({ kind: "replace", ns, doc: { _id: id, replaced: true }, expectedVersion });
    else
      ops.push({
        kind: "update",
        ns,
        doc: { ...stored?.doc, _id: id, bumped: expectedVersion },
        expectedVersion,
        updateDescription: { updatedFields: { bumped: expectedVersion }, removedFields: ["x"] },
      });
  }
  return ops;
}

/** The records, or what a user sees of the error. */
async function outcome(commit: Promise<readonly ChangeRecord[]>): Promise<unknown> {
  try {
    return { records: await commit };
  } catch (error) {
    const { code, message, details } = error as {
      code?: unknown;
      message: string;
      details?: unknown;
    };
    return { code, message, details };
  }
}

function rows(file: string): unknown {
  const db = new Database(file, { readonly: true });
  try {
    return {
      documents: db.prepare("SELECT * FROM documents ORDER BY rowid").all(),
      changes: db.prepare("SELECT * FROM changes ORDER BY seq").all(),
    };
  } finally {
    db.close();
  }
}

describe("SqliteStorage batched writer", () => {
  it("stores, returns and announces what the row-by-row writer does, errors included", async () => {
    await fc.assert(
      fc.asyncProperty(commitSpecs, fc.boolean(), async (commits, withOrigin) => {
        const reference = open(true);
        const batched = open(false);
        const heard: { reference: unknown[]; batched: unknown[] } = { reference: [], batched: [] };
        reference.storage.onCommit((records) => heard.reference.push(records));
        batched.storage.onCommit((records) => heard.batched.push(records));
        const fresh = { next: 0 };
        const origin = withOrigin ? { origin: "sync" } : {};
        try {
          for (const specs of commits) {
            const ops = await toOps(specs, reference.storage, fresh);
            const expected = await outcome(reference.storage.commit(ops, origin));
            expect(await outcome(batched.storage.commit(ops, origin))).toStrictEqual(expected);
          }
          expect(heard.batched).toStrictEqual(heard.reference);
        } finally {
          await reference.storage.close();
          await batched.storage.close();
        }
        expect(rows(batched.file)).toStrictEqual(rows(reference.file));
      }),
      { numRuns: 40 },
    );
  });

  it("rejects a long run with a taken _id whole, naming that _id", async () => {
    const { storage } = open(false);
    const ns = NAMESPACES[0] as Namespace;
    await storage.commit([{ kind: "insert", ns, doc: { _id: 70 } }]);
    const run = Array.from({ length: 100 }, (_, i) => ({
      kind: "insert" as const,
      ns,
      doc: { _id: i + 1 },
    }));
    await expect(storage.commit(run)).rejects.toMatchObject({
      code: "DuplicateKey",
      details: { id: 70 },
    });
    expect((await storage.scan(ns)).map((stored) => stored.doc._id)).toEqual([70]);
    expect(await storage.lastSeq()).toBe(1);
    await storage.close();
  });

  it("numbers a long run's change records consecutively, after what came before", async () => {
    const { storage } = open(false);
    const ns = NAMESPACES[0] as Namespace;
    const first = await storage.commit([
      { kind: "insert", ns, doc: { _id: "before" } },
      { kind: "delete", ns, id: "before", expectedVersion: 1 },
    ]);
    const run = await storage.commit(
      Array.from({ length: 300 }, (_, i) => ({ kind: "insert" as const, ns, doc: { _id: i } })),
    );
    expect(first.map((record) => record.seq)).toEqual([1, 2]);
    expect(run.map((record) => record.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i + 3));
    expect((await storage.changesSince(2, 1000)).map((record) => record.documentKey._id)).toEqual(
      Array.from({ length: 300 }, (_, i) => i),
    );
    await storage.close();
  });
});
