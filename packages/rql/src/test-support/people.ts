import { Decimal128, ObjectId, UUID } from "bson";
import type { EvalContext } from "../evaluate/context.js";
import type { RqlProperty, RqlSchema } from "../schema.js";

/**
 * A small fixed dataset for the table of cases: nulls, empty lists, mixed case, accents, links,
 * lists, sets, backlinks, dictionaries, embedded objects and every BSON type.
 */
function p(name: string, type: RqlProperty["type"], extra: Partial<RqlProperty> = {}): RqlProperty {
  return { name, type, optional: false, ...extra };
}
const optional = { optional: true };

export const schema: RqlSchema = {
  Person: {
    name: "Person",
    primaryKey: "_id",
    properties: {
      _id: p("_id", "int"),
      name: p("name", "string"),
      nickname: p("nickname", "string", optional),
      age: p("age", "int", optional),
      height: p("height", "double", optional),
      alive: p("alive", "bool"),
      born: p("born", "date", optional),
      uid: p("uid", "uuid", optional),
      oid: p("oid", "objectId", optional),
      balance: p("balance", "decimal128", optional),
      avatar: p("avatar", "data", optional),
      tags: p("tags", "string", { collection: "list" }),
      scores: p("scores", "int", { collection: "list" }),
      nicknames: p("nicknames", "string", { collection: "set" }),
      dogs: p("dogs", "object", { objectType: "Dog", collection: "list" }),
      bestFriend: p("bestFriend", "object", { objectType: "Person", optional: true }),
      address: p("address", "object", { objectType: "Address", optional: true }),
      attrs: p("attrs", "mixed", { collection: "dictionary", optional: true }),
      anything: p("anything", "mixed", optional),
    },
  },
  Dog: {
    name: "Dog",
    primaryKey: "_id",
    properties: {
      _id: p("_id", "int"),
      name: p("name", "string"),
      age: p("age", "int"),
      owners: p("owners", "linkingObjects", { objectType: "Person", linkOriginProperty: "dogs" }),
    },
  },
  Address: {
    name: "Address",
    embedded: true,
    properties: { city: p("city", "string"), zip: p("zip", "string", optional) },
  },
  Reading: { name: "Reading", asymmetric: true, properties: { value: p("value", "double") } },
};

export interface Dog {
  _id: number;
  name: string;
  age: number;
}
export type Person = Record<string, unknown> & { _id: number; name: string };

export const dogs = {
  rex: { _id: 1, name: "Rex", age: 3 },
  fido: { _id: 2, name: "Fido", age: 10 },
  spot: { _id: 3, name: "Spot", age: 1 },
  lonely: { _id: 4, name: "Lonely", age: 7 },
} satisfies Record<string, Dog>;

const ann: Person = {
  _id: 1,
  name: "Ann",
  nickname: null,
  age: 30,
  height: 1.7,
  alive: true,
  born: new Date("1990-05-01T00:00:00Z"),
  uid: new UUID("11111111-1111-4111-8111-111111111111"),
  oid: new ObjectId("aaaaaaaaaaaaaaaaaaaaaaaa"),
  balance: Decimal128.fromString("10.50"),
  avatar: new Uint8Array([1, 2, 3]),
  tags: ["a", "b"],
  scores: [10, 20],
  nicknames: new Set(["annie"]),
  dogs: [dogs.rex],
  address: { city: "Paris", zip: "75001" },
  attrs: { x: 1, color: "red" },
  anything: "hello",
};
const bob: Person = {
  _id: 2,
  name: "bob",
  nickname: "Bobby",
  age: null,
  height: null,
  alive: false,
  born: null,
  uid: null,
  oid: null,
  balance: null,
  avatar: null,
  tags: [],
  scores: [],
  nicknames: new Set(),
  dogs: [],
  bestFriend: null,
  address: null,
  attrs: {},
  anything: 5,
};
const chloe: Person = {
  _id: 3,
  name: "Chloé",
  nickname: "clo",
  age: 12,
  height: 1.25,
  alive: true,
  born: new Date("2010-01-01T12:00:00Z"),
  uid: new UUID("22222222-2222-4222-8222-222222222222"),
  oid: new ObjectId("bbbbbbbbbbbbbbbbbbbbbbbb"),
  balance: Decimal128.fromString("0.1"),
  avatar: new Uint8Array([]),
  tags: ["b", "c"],
  scores: [5],
  nicknames: new Set(["Clo", "Chlo"]),
  dogs: [dogs.fido, dogs.spot],
  bestFriend: ann,
  address: { city: "Zürich", zip: null },
  attrs: { x: "s" },
  anything: null,
};
const david: Person = {
  _id: 4,
  name: "DAVID",
  nickname: "Dave",
  age: 45,
  height: 1.9,
  alive: true,
  born: new Date("1975-07-20T00:00:00Z"),
  uid: null,
  oid: new ObjectId("cccccccccccccccccccccccc"),
  balance: Decimal128.fromString("-3"),
  avatar: null,
  tags: ["A"],
  scores: [1, 2, 3],
  nicknames: new Set(),
  dogs: [dogs.rex],
  bestFriend: ann,
  address: { city: "paris", zip: "75002" },
  attrs: { color: "blue", x: 2.5 },
  anything: 2.5,
};
const elodie: Person = {
  _id: 5,
  name: "élodie",
  nickname: null,
  age: 30,
  height: null,
  alive: false,
  born: new Date("2000-02-29T00:00:00Z"),
  uid: null,
  oid: null,
  balance: Decimal128.fromString("10.5"),
  avatar: null,
  tags: ["a", "a"],
  scores: [30],
  nicknames: new Set(),
  dogs: [],
  bestFriend: null,
  address: null,
  attrs: {},
  anything: true,
};
ann.bestFriend = bob;

export const people: Person[] = [ann, bob, chloe, david, elodie];
export const allDogs: Dog[] = Object.values(dogs);

/** Backlinks found by scanning the dataset, as a store would find them through an index. */
export const backlinks: EvalContext = {
  backlinks(target, fromClass, fromProperty) {
    const candidates: object[] =
      fromClass === "Person" ? people : fromClass === "Dog" ? allDogs : [];
    return candidates.filter((origin) => {
      const value = (origin as Record<string, unknown>)[fromProperty];
      return value === target || (Array.isArray(value) && value.includes(target));
    });
  },
};
