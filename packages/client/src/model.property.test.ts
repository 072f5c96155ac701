import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Realm } from "./Realm.js";
import type { ObjectSchema } from "./index.js";
import type { RealmObject } from "./objects/RealmObject.js";
import { useTempDir } from "./test-support/realms.js";

type Obj = RealmObject & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- dynamic schema in tests

/**
 * Differential property: random sequences of write transactions (some rolled back, some with
 * invalid writes, with reopenings in between) applied to a realm and to a plain in-memory model
 * must give the same answers to the same queries.
 */
const schema: ObjectSchema[] = [
  {
    name: "Item",
    primaryKey: "id",
    properties: {
      id: "int",
      n: { type: "int", indexed: true },
      s: { type: "string", optional: true, indexed: true },
      tags: "string[]",
    },
  },
];

interface ModelItem {
  id: number;
  n: number;
  s: string | null;
  tags: string[];
}

type Op =
  | { kind: "create"; id: number; n: number; s: string | null }
  | { kind: "setN"; id: number; n: number }
  | { kind: "setS"; id: number; s: string | null }
  | { kind: "delete"; id: number }
  | { kind: "push"; id: number; tag: string }
  | { kind: "shift"; id: number };

interface Txn {
  ops: Op[];
  abort: boolean;
  reopenAfter: boolean;
}

const id = fc.integer({ min: 0, max: 7 });
const text = fc.constantFrom("a", "ab", "b", "ba", "");
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("create" as const),
    id,
    n: fc.integer({ min: -3, max: 3 }),
    s: fc.option(text, { nil: null }),
  }),
  fc.record({ kind: fc.constant("setN" as const), id, n: fc.integer({ min: -3, max: 3 }) }),
  fc.record({ kind: fc.constant("setS" as const), id, s: fc.option(text, { nil: null }) }),
  fc.record({ kind: fc.constant("delete" as const), id }),
  fc.record({ kind: fc.constant("push" as const), id, tag: text }),
  fc.record({ kind: fc.constant("shift" as const), id }),
);
const txn: fc.Arbitrary<Txn> = fc.record({
  ops: fc.array(op, { minLength: 1, maxLength: 5 }),
  abort: fc.boolean(),
  reopenAfter: fc.boolean(),
});

class InvalidWrite extends Error {}

function applyToModel(items: ModelItem[], o: Op): void {
  const index = items.findIndex((i) => i.id === o.id);
  const item = items[index];
  if (o.kind === "create") {
    if (item) throw new InvalidWrite("duplicate");
    items.push({ id: o.id, n: o.n, s: o.s, tags: [] });
    return;
  }
  if (!item) return; // operations on missing objects are skipped on both sides
  if (o.kind === "setN") item.n = o.n;
  else if (o.kind === "setS") item.s = o.s;
  else if (o.kind === "delete") items.splice(index, 1);
  else if (o.kind === "push") item.tags.push(o.tag);
  else item.tags.shift();
}

function applyToRealm(realm: Realm, o: Op): void {
  if (o.kind === "create") {
    realm.create("Item", { id: o.id, n: o.n, s: o.s });
    return;
  }
  const item = realm.objectForPrimaryKey<Obj>("Item", o.id);
  if (!item) return;
  if (o.kind === "setN") item.n = o.n;
  else if (o.kind === "setS") item.s = o.s;
  else if (o.kind === "delete") realm.delete(item);
  else if (o.kind === "push") item.tags.push(o.tag);
  else item.tags.shift();
}

const queries: [string, unknown[], (i: ModelItem) => boolean][] = [
  ["TRUEPREDICATE", [], () => true],
  ["n == $0", [1], (i) => i.n === 1],
  ["id == $0", [3], (i) => i.id === 3],
  ["s == $0 AND n >= 0", ["a"], (i) => i.s === "a" && i.n >= 0],
  ["s == null", [], (i) => i.s === null],
  ["n > $0", [0], (i) => i.n > 0],
  ["s BEGINSWITH $0", ["a"], (i) => i.s !== null && i.s.startsWith("a")],
  ["s == null OR n == $0", [1], (i) => i.s === null || i.n === 1],
  ["tags.@count >= 2", [], (i) => i.tags.length >= 2],
  ["ANY tags == 'b'", [], (i) => i.tags.includes("b")],
  ["NOT (n < 0) AND s != ''", [], (i) => !(i.n < 0) && i.s !== ""],
];

describe("realm vs. in-memory model", () => {
  const path = useTempDir();

  it("gives the same query answers after random write sequences", () => {
    fc.assert(
      fc.property(fc.array(txn, { minLength: 1, maxLength: 12 }), (txns) => {
        const file = path();
        let realm = new Realm({ path: file, schema });
        let model: ModelItem[] = [];
        try {
          for (const t of txns) {
            const draft = model.map((i) => ({ ...i, tags: [...i.tags] }));
            let modelFailed = false;
            try {
              for (const o of t.ops) applyToModel(draft, o);
            } catch (error) {
              if (!(error instanceof InvalidWrite)) throw error;
              modelFailed = true;
            }
            let realmFailed = false;
            try {
              realm.write(() => {
                for (const o of t.ops) applyToRealm(realm, o);
                if (t.abort) throw new Error("abort");
              });
            } catch (error) {
              realmFailed = !(error instanceof Error && error.message === "abort");
            }
            expect(realmFailed).toBe(modelFailed);
            if (!modelFailed && !t.abort) model = draft;
            if (t.reopenAfter) {
              realm.close();
              realm = new Realm({ path: file, schema });
            }
            for (const [query, args, predicate] of queries) {
              const fromRealm = realm
                .objects<Obj>("Item")
                .filtered(query, ...args)
                .map((i) => i.id);
              const fromModel = model.filter(predicate).map((i) => i.id);
              expect(fromRealm, query).toEqual(fromModel);
            }
            const sorted = realm
              .objects<Obj>("Item")
              .sorted([
                ["n", true],
                ["id", false],
              ])
              .map((i) => [i.id, i.n, i.s, [...i.tags]]);
            const expected = [...model]
              .sort((a, b) => b.n - a.n || a.id - b.id)
              .map((i) => [i.id, i.n, i.s, i.tags]);
            expect(sorted).toEqual(expected);
          }
        } finally {
          realm.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});
