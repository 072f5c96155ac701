/**
 * Property: whatever mix of local writes (real `realm.write`s), server changesets (generated
 * instructions over the same objects) and acknowledgements arrives, the realm holds exactly the
 * confirmed state — server changesets and acknowledged local changesets in the contract's order —
 * with the pending local changesets replayed on top, as computed from scratch on a second realm.
 * The realm file is also closed and reopened at random points (undo data must survive that).
 */
import fc from "fast-check";
import { decodeChangeset } from "@atoll/protocol";
import type { Instruction } from "@atoll/protocol";
import { describe, expect, it } from "vitest";
import { Realm } from "../../Realm.js";
import type { Database } from "../../core/Database.js";
import type { RealmObject } from "../../objects/RealmObject.js";
import type { ObjectRow } from "../../schema/ClassInfo.js";
import { ObjectWriter } from "../../transaction/ObjectWriter.js";
import { WriteTransaction } from "../../transaction/WriteTransaction.js";
import { InstructionApplier } from "./InstructionApplier.js";
import type { ApplyMode } from "./InstructionApplier.js";
import { useTempDir } from "../../test-support/realms.js";
import { localSyncStateFor } from "./LocalSyncState.js";
import { databaseOf, long, on, syncSchema } from "./testSupport.js";

type Obj = RealmObject & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- dynamic schema in tests

const CARS = ["a", "b", "c"];
const PEOPLE = ["p", "q"];
let realmCounter = 0;
const memoryRealm = (): Realm =>
  new Realm({ inMemory: true, path: `rebase-property-${++realmCounter}`, schema: syncSchema });

function applyTo(db: Database, instructions: readonly Instruction[], mode: ApplyMode): void {
  const txn = new WriteTransaction(db, { record: false });
  const applier = new InstructionApplier(db, txn, new ObjectWriter(db, txn));
  try {
    applier.applyChangeset(instructions, mode);
  } catch (error) {
    txn.rollback();
    throw error;
  }
  txn.commit();
}

/** The state as plain data: top-level objects by primary key, links as primary keys, embedded objects inline. */
function dump(db: Database): unknown {
  const value = (row: ObjectRow): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const prop of row.cls.storedProps()) {
      const element = (stored: unknown): unknown => {
        if (prop.element !== "object" || typeof stored !== "number") return stored;
        const target = db.rowsByKey.get(stored);
        if (!target) return `dangling ${stored}`;
        return target.cls.embedded ? value(target) : target.values[target.cls.pk?.key ?? ""];
      };
      const stored = row.values[prop.key];
      if (Array.isArray(stored)) out[prop.name] = stored.map(element);
      else if (prop.collection === "dictionary")
        out[prop.name] = Object.fromEntries(
          Object.entries(stored as object)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, v]) => [k, element(v)]),
        );
      else out[prop.name] = element(stored);
    }
    return out;
  };
  const objects: Record<string, unknown> = {};
  for (const cls of db.classes.values()) {
    if (cls.embedded) continue;
    const rows = [...cls.rows.values()].map(value);
    rows.sort((x, y) => String(x[cls.pk?.name ?? ""]).localeCompare(String(y[cls.pk?.name ?? ""])));
    objects[cls.name] = rows;
  }
  const embedded = [...db.rowsByKey.values()].filter((row) => row.cls.embedded).length;
  return { objects, embedded };
}

const localOp = fc.record({
  kind: fc.nat(13),
  a: fc.nat(),
  b: fc.nat(),
  s: fc.constantFrom("x", "y", "z"),
});
type LocalOp = typeof localOp extends fc.Arbitrary<infer T> ? T : never;
const serverOp = localOp;

/** Applies one random local operation through the Realm API (skipped when it does not fit the state). */
function writeLocally(realm: Realm, op: LocalOp): void {
  const pk = CARS[op.a % CARS.length] as string;
  const car = realm.objectForPrimaryKey<Obj>("Car", pk);
  const person = realm.objectForPrimaryKey<Obj>("Person", PEOPLE[op.b % PEOPLE.length]);
  if (op.kind === 0 && !car) realm.create("Car", { _id: pk, model: op.s, tags: [op.s] });
  if (op.kind === 1 && !person) realm.create("Person", { name: PEOPLE[op.b % PEOPLE.length] });
  if (op.kind === 2 && person) realm.delete(person);
  if (!car) return;
  const tags = car.tags as string[] & { splice: Array<string>["splice"] };
  switch (op.kind) {
    case 3:
      car.model = `${op.s}${op.b % 10}`;
      break;
    case 4:
      car.visits.increment((op.b % 5) + 1);
      break;
    case 5:
      tags.splice(op.b % (tags.length + 1), 0, op.s);
      break;
    case 6:
      if (tags.length > 0) tags.splice(op.b % tags.length, 1);
      break;
    case 7:
      car.owner = op.b % 3 === 0 ? null : person;
      break;
    case 8:
      realm.delete(car);
      break;
    case 9:
      if (car.engine && op.b % 2 === 0) car.engine.hp = op.b % 100;
      else car.engine = { hp: op.b % 100 };
      break;
    case 10:
      if (op.b % 2 === 0) car.features.add(op.s);
      else car.features.delete(op.s);
      break;
    case 11:
      if (op.b % 3 === 0) car.extras.remove(op.s);
      else car.extras[op.s] = op.b % 7;
      break;
    case 12:
      car.wheels.push({ size: op.b % 20 });
      break;
    case 13:
      car.price = op.b % 2 === 0 ? null : op.b / 2;
      break;
  }
}

/** One server instruction (or a few) valid on the confirmed state `db`. */
function serverInstructions(db: Database, op: LocalOp): Instruction[] {
  const pk = CARS[op.a % CARS.length] as string;
  const personPk = PEOPLE[op.b % PEOPLE.length] as string;
  const car = on("Car", pk);
  const carRow = db.findByPrimaryKey(db.classes.get("Car")!, pk);
  const personRow = db.findByPrimaryKey(db.classes.get("Person")!, personPk);
  const tags = (carRow?.values.tags ?? []) as string[];
  switch (op.kind) {
    case 0:
      return [car.create(), car.set(["model"], op.s)];
    case 1:
      return [on("Person", personPk).create()];
    case 2:
      return [on("Person", personPk).erase()];
    case 3:
      return [car.set(["model"], `${op.s}${op.b % 10}`)];
    case 4:
      return [car.add(["visits"], (op.b % 5) + 1)];
    case 5:
      return [car.insert(["tags", op.b % (tags.length + 1)], op.s, tags.length)];
    case 6:
      if (tags.length === 0) return [car.clear(["tags"], "list")];
      return op.b % 2 === 0
        ? [car.arrayErase(["tags", op.b % tags.length], tags.length)]
        : [car.move(["tags", op.b % tags.length], op.a % tags.length, tags.length)];
    case 7:
      return [car.set(["owner"], personRow ? { $link: { table: "Person", pk: personPk } } : null)];
    case 8:
      return [car.erase()];
    case 9:
      return carRow?.values.engine !== null && carRow && op.b % 2 === 0
        ? [car.set(["engine", "hp"], long(op.b % 100))]
        : [car.set(["engine"], { $object: true }), car.set(["engine", "hp"], long(op.b % 100))];
    case 10:
      return [
        op.b % 2 === 0 ? car.setInsert(["features"], op.s) : car.setErase(["features"], op.s),
      ];
    case 11:
      return [
        op.b % 3 === 0 ? car.eraseKey(["extras", op.s]) : car.set(["extras", op.s], op.b % 7),
      ];
    case 12:
      return [
        car.insert(["wheels", 0], { $object: true }),
        car.set(["wheels", 0, "size"], op.b % 20),
      ];
    default:
      return [car.set(["price"], op.b % 2 === 0 ? null : op.b / 2)];
  }
}

const action = fc.oneof(
  fc.constant({ type: "reopen" as const }),
  fc.record({
    type: fc.constant("local" as const),
    ops: fc.array(localOp, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    type: fc.constant("download" as const),
    changesets: fc.array(
      fc.record({ integrate: fc.nat(), ops: fc.array(serverOp, { minLength: 1, maxLength: 4 }) }),
      {
        minLength: 0,
        maxLength: 3,
      },
    ),
    acknowledge: fc.nat(),
  }),
);

describe("rebase property", () => {
  const path = useTempDir();

  it("always shows the confirmed state with the pending local changesets replayed on top", () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 1, maxLength: 30 }), (actions) => {
        const file = path();
        const config = { path: file, schema: syncSchema, sync: { flexible: true as const } };
        let realm = new Realm(config);
        const model = memoryRealm();
        const opened: Realm[] = [model];
        try {
          let state = localSyncStateFor(databaseOf(realm));
          const modelDb = databaseOf(model);
          const confirmedLog: { instructions: Instruction[]; mode: ApplyMode }[] = [];
          const own = new Map<number, Instruction[]>();
          let confirmedThrough = 0;
          let serverVersion = 0;
          const confirmOwn = (through: number): void => {
            for (; confirmedThrough < through;) {
              confirmedThrough++;
              const instructions = own.get(confirmedThrough) ?? [];
              applyTo(modelDb, instructions, "lenient");
              confirmedLog.push({ instructions, mode: "lenient" });
            }
          };
          for (const step of actions) {
            if (step.type === "reopen") {
              realm.close();
              realm = new Realm(config);
              state = localSyncStateFor(databaseOf(realm));
            } else if (step.type === "local") {
              realm.write(() => {
                for (const op of step.ops) writeLocally(realm, op);
              });
              for (const upload of state.pendingUploads(Math.max(0, ...own.keys())))
                own.set(upload.clientVersion, decodeChangeset(upload.changeset));
            } else {
              const last = state.lastClientVersion();
              const changesets = step.changesets.map((changeset) => {
                const integrated =
                  confirmedThrough + (changeset.integrate % (last - confirmedThrough + 1));
                confirmOwn(integrated);
                const instructions: Instruction[] = [];
                for (const op of changeset.ops) {
                  const generated = serverInstructions(modelDb, op);
                  applyTo(modelDb, generated, "strict");
                  instructions.push(...generated);
                }
                confirmedLog.push({ instructions, mode: "strict" });
                return {
                  serverVersion: ++serverVersion,
                  lastIntegratedClientVersion: integrated,
                  originFileIdent: 2,
                  originTimestamp: 0,
                  instructions,
                };
              });
              const acknowledged =
                confirmedThrough + (step.acknowledge % (last - confirmedThrough + 1));
              confirmOwn(acknowledged);
              state.integrate({ changesets, uploadAcknowledged: acknowledged });
            }
            const expected = memoryRealm();
            opened.push(expected);
            const expectedDb = databaseOf(expected);
            for (const entry of confirmedLog) applyTo(expectedDb, entry.instructions, entry.mode);
            expect(dump(expectedDb)).toEqual(dump(modelDb));
            for (const [version, instructions] of own)
              if (version > confirmedThrough) applyTo(expectedDb, instructions, "lenient");
            expect(dump(databaseOf(realm))).toEqual(dump(expectedDb));
            expect(state.pendingUploads().map((p) => p.clientVersion)).toEqual(
              [...own.keys()].filter((v) => v > confirmedThrough),
            );
          }
        } finally {
          realm.close();
          for (const other of opened) other.close();
        }
      }),
      { numRuns: Number(process.env.REBASE_RUNS ?? 100) },
    );
  }, 120_000);
});
