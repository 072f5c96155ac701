import type { Instruction } from "@atoll/protocol";
import { Long } from "bson";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Writer } from "./clock.js";
import {
  integrateUpload,
  objectKey,
  type HistoryEntry,
  type ObjectState,
} from "./integrateUpload.js";

const table = "Item";
const pk = "x";
const key = objectKey(table, pk);

/** A tiny server: state, history, and integration of uploads in arrival order. */
class Server {
  readonly history: HistoryEntry[] = [];
  readonly objects = new Map<string, ObjectState>();

  submit(writer: Writer, instructions: Instruction[]): void {
    const version = this.history.length + 1;
    const result = integrateUpload({ writer, instructions }, version, this.objects, this.history);
    for (const [k, { state }] of result.objects) this.objects.set(k, state);
    this.history.push({
      version,
      originIdent: writer.ident,
      originTimestamp: writer.ts,
      instructions: result.effective,
    });
  }

  get doc() {
    return this.objects.get(key)?.doc;
  }
}

function seeded(fields: Record<string, unknown>): Server {
  const server = new Server();
  const instructions: Instruction[] = [{ type: "CreateObject", table, pk }];
  for (const [name, value] of Object.entries(fields)) {
    if (Array.isArray(value)) {
      value.forEach((item, index) =>
        instructions.push({
          type: "ArrayInsert",
          table,
          pk,
          path: [name, index],
          value: item as string,
          priorSize: index,
        }),
      );
    } else {
      instructions.push({ type: "Update", table, pk, path: [name], value: value as Long });
    }
  }
  server.submit({ ts: 1, ident: 9, baseVersion: 0 }, instructions);
  return server;
}

const set = (field: string, value: number): Instruction => ({
  type: "Update",
  table,
  pk,
  path: [field],
  value: Long.fromNumber(value),
});
const add = (field: string, delta: number): Instruction => ({
  type: "AddInteger",
  table,
  pk,
  path: [field],
  value: Long.fromNumber(delta),
});

type Upload = { writer: Writer; instructions: Instruction[] };

/** Both arrival orders of two concurrent uploads. */
function bothOrders(seed: () => Server, a: Upload, b: Upload): [Server, Server] {
  const ab = seed();
  ab.submit(a.writer, a.instructions);
  ab.submit(b.writer, b.instructions);
  const ba = seed();
  ba.submit(b.writer, b.instructions);
  ba.submit(a.writer, a.instructions);
  return [ab, ba];
}

/**
 * One writer's offline list edits on its own copy of `base`: each edit inserts a new item
 * tagged `<tag><n>` or erases the element at a position (wrapped into range), giving the
 * instructions it uploads and the list it ends up seeing.
 */
function localEdits(base: readonly string[], edits: readonly [boolean, number][], tag: string) {
  const view = [...base];
  const instructions: Instruction[] = [];
  edits.forEach(([insert, p], n) => {
    if (insert || view.length === 0) {
      const index = p % (view.length + 1);
      view.splice(index, 0, `${tag}${n}`);
      instructions.push({
        type: "ArrayInsert",
        table,
        pk,
        path: ["items", index],
        value: `${tag}${n}`,
        priorSize: view.length - 1,
      });
    } else {
      const index = p % view.length;
      view.splice(index, 1);
      instructions.push({
        type: "ArrayErase",
        table,
        pk,
        path: ["items", index],
        priorSize: view.length + 1,
      });
    }
  });
  return { instructions, view };
}

const fields = ["a", "b", "c"] as const;
const writes = fc.array(
  fc.tuple(fc.constantFrom(...fields), fc.integer({ min: -1000, max: 1000 })),
  { maxLength: 6 },
);
const timestamps = fc.integer({ min: 2, max: 6 });

describe("integrating concurrent uploads", () => {
  it("last writer wins per field, whatever order the uploads arrive in (generated writes)", () => {
    fc.assert(
      fc.property(writes, writes, timestamps, timestamps, (writesA, writesB, tsA, tsB) => {
        const a: Upload = {
          writer: { ts: tsA, ident: 2, baseVersion: 1 },
          instructions: writesA.map(([f, v]) => set(f, v)),
        };
        const b: Upload = {
          writer: { ts: tsB, ident: 3, baseVersion: 1 },
          instructions: writesB.map(([f, v]) => set(f, v)),
        };
        const [ab, ba] = bothOrders(
          () => seeded({ a: Long.fromNumber(0), b: Long.fromNumber(0), c: Long.fromNumber(0) }),
          a,
          b,
        );
        expect(ab.doc).toEqual(ba.doc);
        const bWins = tsB > tsA || (tsB === tsA && 3 > 2);
        for (const field of fields) {
          const lastA = writesA.filter(([f]) => f === field).at(-1)?.[1];
          const lastB = writesB.filter(([f]) => f === field).at(-1)?.[1];
          const expected = (bWins ? (lastB ?? lastA) : (lastA ?? lastB)) ?? 0;
          expect(ab.doc?.[field]).toBe(expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a write the uploader had already seen is overwritten even by an older clock", () => {
    const server = seeded({ a: Long.fromNumber(0) });
    server.submit({ ts: 50, ident: 2, baseVersion: 1 }, [set("a", 1)]);
    server.submit({ ts: 10, ident: 3, baseVersion: 2 }, [set("a", 2)]); // saw version 2, clock skewed
    expect(server.doc?.a).toBe(2);
  });

  it("keeps every concurrent list insert, each writer's items in its own order (generated inserts)", () => {
    const inserts = fc.array(fc.nat(), { maxLength: 5 });
    fc.assert(
      fc.property(inserts, inserts, timestamps, timestamps, (positionsA, positionsB, tsA, tsB) => {
        const base = ["o0", "o1", "o2"];
        const la = localEdits(
          base,
          positionsA.map((p) => [true, p]),
          "A",
        );
        const lb = localEdits(
          base,
          positionsB.map((p) => [true, p]),
          "B",
        );
        const [ab, ba] = bothOrders(
          () => seeded({ items: base }),
          { writer: { ts: tsA, ident: 2, baseVersion: 1 }, instructions: la.instructions },
          { writer: { ts: tsB, ident: 3, baseVersion: 1 }, instructions: lb.instructions },
        );
        for (const server of [ab, ba]) {
          const items = server.doc?.items as string[];
          const mine = (view: string[], tag: string) => view.filter((x) => x.startsWith(tag));
          expect([...items].sort()).toEqual(
            [...base, ...mine(la.view, "A"), ...mine(lb.view, "B")].sort(),
          );
          expect(items.filter((x) => !x.startsWith("B"))).toEqual(la.view);
          expect(items.filter((x) => !x.startsWith("A"))).toEqual(lb.view);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("converges concurrent inserts and erases: survivors of both, each writer's order kept (generated edits)", () => {
    const edits = fc.array(fc.tuple(fc.boolean(), fc.nat()), { maxLength: 6 });
    fc.assert(
      fc.property(edits, edits, timestamps, timestamps, (editsA, editsB, tsA, tsB) => {
        const base = ["o0", "o1", "o2", "o3"];
        const la = localEdits(base, editsA, "A");
        const lb = localEdits(base, editsB, "B");
        const [ab, ba] = bothOrders(
          () => seeded({ items: base }),
          { writer: { ts: tsA, ident: 2, baseVersion: 1 }, instructions: la.instructions },
          { writer: { ts: tsB, ident: 3, baseVersion: 1 }, instructions: lb.instructions },
        );
        const survivors = [
          ...base.filter((x) => la.view.includes(x) && lb.view.includes(x)),
          ...la.view.filter((x) => x.startsWith("A")),
          ...lb.view.filter((x) => x.startsWith("B")),
        ].sort();
        for (const server of [ab, ba]) {
          const items = server.doc?.items as string[];
          expect([...items].sort()).toEqual(survivors);
          expect(items.filter((x) => la.view.includes(x))).toEqual(
            la.view.filter((x) => items.includes(x)),
          );
          expect(items.filter((x) => lb.view.includes(x))).toEqual(
            lb.view.filter((x) => items.includes(x)),
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it("an erase wins over concurrent updates and over a concurrent re-create", () => {
    fc.assert(
      fc.property(writes, timestamps, timestamps, (writesB, tsA, tsB) => {
        const [ab, ba] = bothOrders(
          () => seeded({ a: Long.fromNumber(0) }),
          {
            writer: { ts: tsA, ident: 2, baseVersion: 1 },
            instructions: [{ type: "EraseObject", table, pk }],
          },
          {
            writer: { ts: tsB, ident: 3, baseVersion: 1 },
            instructions: [
              { type: "CreateObject", table, pk },
              ...writesB.map(([f, v]) => set(f, v)),
            ],
          },
        );
        expect(ab.doc).toBeUndefined();
        expect(ba.doc).toBeUndefined();
      }),
    );
  });

  it("merges concurrent integer additions, and folds an addition newer than a concurrent write into it", () => {
    const deltas = fc.array(fc.integer({ min: -100, max: 100 }), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(
        deltas,
        deltas,
        timestamps,
        timestamps,
        fc.integer({ min: -50, max: 50 }),
        (da, db, tsA, tsB, setTo) => {
          const [ab, ba] = bothOrders(
            () => seeded({ n: Long.fromNumber(10) }),
            {
              writer: { ts: tsA, ident: 2, baseVersion: 1 },
              instructions: da.map((d) => add("n", d)),
            },
            {
              writer: { ts: tsB, ident: 3, baseVersion: 1 },
              instructions: db.map((d) => add("n", d)),
            },
          );
          const sum = (list: number[]) => list.reduce((s, d) => s + d, 0);
          expect(ab.doc?.n).toBe(10 + sum(da) + sum(db));
          expect(ba.doc?.n).toBe(10 + sum(da) + sum(db));

          const [sa, as] = bothOrders(
            () => seeded({ n: Long.fromNumber(10) }),
            { writer: { ts: tsA, ident: 2, baseVersion: 1 }, instructions: [set("n", setTo)] },
            {
              writer: { ts: tsB, ident: 3, baseVersion: 1 },
              instructions: db.map((d) => add("n", d)),
            },
          );
          const additionIsNewer = tsB > tsA || tsB === tsA;
          expect(sa.doc?.n).toBe(additionIsNewer ? setTo + sum(db) : setTo);
          expect(as.doc?.n).toBe(sa.doc?.n);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reports what it dropped and why, and never echoes a dropped write into history", () => {
    const server = seeded({ a: Long.fromNumber(0) });
    server.submit({ ts: 5, ident: 2, baseVersion: 1 }, [set("a", 1)]);
    const result = integrateUpload(
      { writer: { ts: 3, ident: 3, baseVersion: 1 }, instructions: [set("a", 2), set("b", 7)] },
      3,
      server.objects,
      server.history,
    );
    expect(result.dropped).toEqual([
      { instruction: set("a", 2), reason: "a newer concurrent write won" },
    ]);
    expect(result.effective).toEqual([set("b", 7)]);
  });
});
