/**
 * Random operations for the local sync property tests: writes through the Realm API, and server
 * instructions over the same few objects (cars "a"–"c", people "p" and "q"); locally also
 * ingested readings (an asymmetric type, three ids); lists and dictionaries nested in the mixed
 * `any` (`{ l: [...], d: {...} }`, replaced, edited inside, or replaced by a scalar); and a
 * realm's state as plain data.
 */
import fc from "fast-check";
import { ObjectId } from "bson";
import type { Instruction } from "@atoll/protocol";
import type { Realm } from "../../Realm.js";
import type { Database } from "../../core/Database.js";
import type { RealmObject } from "../../objects/RealmObject.js";
import type { ObjectRow } from "../../schema/ClassInfo.js";
import { ObjectWriter } from "../../transaction/ObjectWriter.js";
import { WriteTransaction } from "../../transaction/WriteTransaction.js";
import { InstructionApplier } from "./InstructionApplier.js";
import type { ApplyMode } from "./InstructionApplier.js";
import { databaseOf, long, on } from "./testSupport.js";

type Obj = RealmObject & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- dynamic schema in tests

const CARS = ["a", "b", "c"];
const PEOPLE = ["p", "q"];
const READINGS = [1, 2, 3].map((n) => new ObjectId(n.toString(16).padStart(24, "0")));

/** One operation: `kind` picks what (see writeLocally and serverInstructions), the rest where and what value. */
export const localOp = fc.record({
  kind: fc.nat(15),
  a: fc.nat(),
  b: fc.nat(),
  s: fc.constantFrom("x", "y", "z"),
});
export type LocalOp = typeof localOp extends fc.Arbitrary<infer T> ? T : never;

/** Applies one random local operation through the Realm API (skipped when it does not fit the state). */
export function writeLocally(realm: Realm, op: LocalOp): void {
  const pk = CARS[op.a % CARS.length] as string;
  const car = realm.objectForPrimaryKey<Obj>("Car", pk);
  const person = realm.objectForPrimaryKey<Obj>("Person", PEOPLE[op.b % PEOPLE.length]);
  if (op.kind === 0 && !car) realm.create("Car", { _id: pk, model: op.s, tags: [op.s] });
  if (op.kind === 1 && !person) realm.create("Person", { name: PEOPLE[op.b % PEOPLE.length] });
  if (op.kind === 2 && person) realm.delete(person);
  if (op.kind === 14) {
    const _id = READINGS[op.a % READINGS.length] as ObjectId;
    const readings = databaseOf(realm).classes.get("Reading");
    if (readings && !databaseOf(realm).findByPrimaryKey(readings, _id))
      realm.ingest("Reading", { _id, value: op.b });
    else realm.create("Reading", { _id, value: op.b }, "modified");
  }
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
    case 15:
      writeNested(car, op);
      break;
  }
}

/** The nested list `any.l` and dictionary `any.d` of a car's stored mixed value, when it has them. */
function nestedOf(any: unknown): { l?: unknown[]; d?: Record<string, unknown> } {
  if (typeof any !== "object" || any === null || Array.isArray(any)) return {};
  const { l, d } = any as Record<string, unknown>;
  return {
    ...(Array.isArray(l) ? { l } : {}),
    ...(typeof d === "object" && d !== null && !Array.isArray(d)
      ? { d: d as Record<string, unknown> }
      : {}),
  };
}

function writeNested(car: Obj, op: LocalOp): void {
  const { l, d } = nestedOf(car.toJSON().any);
  switch (op.b % 5) {
    case 0:
      car.any = { l: [op.s], d: { k: op.b % 7 } };
      return;
    case 1:
      if (l) car.any.l.splice(op.a % (l.length + 1), 0, op.b % 2 === 0 ? op.s : [op.s]);
      return;
    case 2:
      if (l && l.length > 0) car.any.l.splice(op.a % l.length, 1);
      return;
    case 3:
      if (d) car.any.d[op.s] = op.b % 7;
      return;
    default:
      car.any = op.s;
  }
}

/** One server instruction (or a few) valid on the confirmed state `db`. */
export function serverInstructions(db: Database, op: LocalOp): Instruction[] {
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
    case 15:
      return nestedInstructions(car, carRow?.values.any, op);
    default:
      return [car.set(["price"], op.b % 2 === 0 ? null : op.b / 2)];
  }
}

function nestedInstructions(car: ReturnType<typeof on>, any: unknown, op: LocalOp): Instruction[] {
  const { l, d } = nestedOf(any);
  switch (op.b % 5) {
    case 0:
      return [
        car.set(["any"], { $dictionary: true }),
        car.set(["any", "l"], { $list: true }),
        car.insert(["any", "l", 0], op.s, 0),
        car.set(["any", "d"], { $dictionary: true }),
        car.set(["any", "d", "k"], long(op.b % 7)),
      ];
    case 1: {
      if (!l) return [];
      const at = op.a % (l.length + 1);
      if (op.b % 2 === 0) return [car.insert(["any", "l", at], op.s, l.length)];
      return [
        car.insert(["any", "l", at], { $list: true }, l.length),
        car.insert(["any", "l", at, 0], op.s, 0),
      ];
    }
    case 2:
      return l && l.length > 0 ? [car.arrayErase(["any", "l", op.a % l.length], l.length)] : [];
    case 3:
      return d ? [car.set(["any", "d", op.s], long(op.b % 7))] : [];
    default:
      return [car.set(["any"], op.s)];
  }
}

/** The state as plain data: top-level objects by primary key, links as primary keys, embedded objects inline. */
export function dump(db: Database): unknown {
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

/** Applies one changeset in its own transaction (rolled back when it throws). */
export function applyTo(db: Database, instructions: readonly Instruction[], mode: ApplyMode): void {
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
