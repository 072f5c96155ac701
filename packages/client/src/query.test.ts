import { Decimal128, ObjectId, UUID } from "bson";
import { beforeAll, describe, expect, it } from "vitest";
import { Realm } from "./Realm.js";
import type { ObjectSchema } from "./index.js";
import type { RealmObject } from "./objects/RealmObject.js";
import { useTempDir } from "./test-support/realms.js";

type Obj = RealmObject & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- dynamic schema in tests

/**
 * The RQL case table, run through `realm.objects(T).filtered(...)` on a real realm: one group
 * per construct family. Expected names are in the order the Results return them.
 */
const schema: ObjectSchema[] = [
  {
    name: "Person",
    primaryKey: "name",
    properties: {
      name: "string",
      age: "int?",
      height: "double",
      alive: "bool",
      born: "date",
      tags: "string[]",
      scores: "int<>",
      attrs: "string{}",
      best: "Dog?",
      dogs: "Dog[]",
      address: "Address?",
      code: "objectId",
      uid: "uuid",
      balance: "decimal128",
      misc: "mixed",
    },
  },
  {
    name: "Dog",
    primaryKey: "name",
    properties: {
      name: "string",
      weight: "double",
      owners: { type: "linkingObjects", objectType: "Person", property: "dogs" },
    },
  },
  { name: "Address", embedded: true, properties: { city: "string", zip: "string?" } },
];

const codes = ["000000000000000000000001", "000000000000000000000002", "000000000000000000000003"];
const uids = [
  "00000000-0000-4000-8000-000000000001",
  "00000000-0000-4000-8000-000000000002",
  "00000000-0000-4000-8000-000000000003",
];

function seed(realm: Realm): void {
  realm.write(() => {
    const rex = realm.create("Dog", { name: "Rex", weight: 30 });
    const fido = realm.create("Dog", { name: "Fido", weight: 8 });
    realm.create("Dog", { name: "Lonely", weight: 12 });
    realm.create("Person", {
      name: "Ann",
      age: 30,
      height: 1.7,
      alive: true,
      born: new Date("1994-05-01T00:00:00Z"),
      tags: ["a", "b"],
      scores: [1, 2],
      attrs: { eyes: "blue", hair: "red" },
      best: rex,
      dogs: [rex, fido],
      address: { city: "Oslo", zip: "0150" },
      code: new ObjectId(codes[0]),
      uid: new UUID(uids[0]),
      balance: Decimal128.fromString("10.5"),
      misc: 5,
    });
    realm.create("Person", {
      name: "bob",
      age: null,
      height: 1.5,
      alive: false,
      born: new Date("1970-01-01T00:00:00Z"),
      tags: [],
      scores: [],
      attrs: {},
      best: null,
      dogs: [],
      address: null,
      code: new ObjectId(codes[1]),
      uid: new UUID(uids[1]),
      balance: Decimal128.fromString("-2"),
      misc: "five",
    });
    realm.create("Person", {
      name: "Chloé",
      age: 12,
      height: 1.25,
      alive: true,
      born: new Date("2012-03-04T00:00:00Z"),
      tags: ["c", "a"],
      scores: [5],
      attrs: { eyes: "green" },
      best: fido,
      dogs: [fido],
      address: { city: "Bergen" },
      code: new ObjectId(codes[2]),
      uid: new UUID(uids[2]),
      balance: Decimal128.fromString("0"),
      misc: null,
    });
  });
}

type Case = [query: string, expected: string[], args?: unknown[]];

const personCases: Record<string, Case[]> = {
  comparisons: [
    ["age == 30", ["Ann"]],
    ["age != 30", ["bob", "Chloé"]],
    ["age > 12", ["Ann"]],
    ["age >= 12 AND age <= 30", ["Ann", "Chloé"]],
    ["height < 1.6", ["bob", "Chloé"]],
    ["alive == true", ["Ann", "Chloé"]],
    ["age == null", ["bob"]],
    ["age != null", ["Ann", "Chloé"]],
  ],
  "logic and constants": [
    ["TRUEPREDICATE", ["Ann", "bob", "Chloé"]],
    ["FALSEPREDICATE", []],
    ["NOT alive == true", ["bob"]],
    ["!(age > 20) AND alive == true", ["Chloé"]],
    ["age == 30 OR name == 'bob'", ["Ann", "bob"]],
    ["(age == 30 OR age == 12) && alive == true", ["Ann", "Chloé"]],
  ],
  arguments: [
    ["age == $0", ["Ann"], [30]],
    ["name IN $0", ["Ann", "Chloé"], [["Ann", "Chloé"]]],
    ["born > $0", ["Ann", "Chloé"], [new Date("1980-01-01T00:00:00Z")]],
    ["code == $0", ["bob"], [new ObjectId(codes[1])]],
    ["uid == $0", ["Chloé"], [new UUID(uids[2])]],
    ["best == $0", ["bob"], [null]],
  ],
  "BETWEEN and IN": [
    ["age BETWEEN {10, 20}", ["Chloé"]],
    ["age IN {12, 30}", ["Ann", "Chloé"]],
    ["'a' IN tags", ["Ann", "Chloé"]],
  ],
  strings: [
    ["name BEGINSWITH 'A'", ["Ann"]],
    ["name BEGINSWITH[c] 'b'", ["bob"]],
    ["name ENDSWITH 'é'", ["Chloé"]],
    ["name CONTAINS[c] 'N'", ["Ann"]],
    ["name LIKE '?o?'", ["bob"]],
    ["name LIKE[c] 'c*'", ["Chloé"]],
    ["name ==[c] 'ANN'", ["Ann"]],
    ["name CONTAINS[cd] 'e'", ["Chloé"]],
  ],
  "links and embedded objects": [
    ["best.name == 'Rex'", ["Ann"]],
    ["best.weight < 10", ["Chloé"]],
    ["best == null", ["bob"]],
    ["address.city == 'Bergen'", ["Chloé"]],
    ["address.zip == null", ["bob", "Chloé"]],
  ],
  "lists, sets and aggregates": [
    ["dogs.name == 'Fido'", ["Ann", "Chloé"]],
    ["ANY dogs.weight > 20", ["Ann"]],
    ["ALL dogs.weight < 10", ["bob", "Chloé"]],
    ["NONE dogs.name == 'Rex'", ["bob", "Chloé"]],
    ["dogs.@count == 2", ["Ann"]],
    ["dogs.@size > 0", ["Ann", "Chloé"]],
    ["dogs.@sum.weight > 30", ["Ann"]],
    ["dogs.@avg.weight == 8", ["Chloé"]],
    ["dogs.@max.weight >= 30", ["Ann"]],
    ["tags.@count == 0", ["bob"]],
    ["scores.@sum == 3", ["Ann"]],
    ["ANY scores > 4", ["Chloé"]],
    ["SUBQUERY(dogs, $d, $d.weight > 5).@count == 2", ["Ann"]],
  ],
  dictionaries: [
    ["attrs.eyes == 'blue'", ["Ann"]],
    ["attrs['eyes'] == 'green'", ["Chloé"]],
    ["attrs.@count == 0", ["bob"]],
    ["ANY attrs.@keys == 'hair'", ["Ann"]],
    ["ANY attrs.@values == 'green'", ["Chloé"]],
  ],
  "other types": [
    ["born < 1980-01-01@00:00:00", ["bob"]],
    ["balance > 0", ["Ann"]],
    ["code == oid(000000000000000000000003)", ["Chloé"]],
    ["uid == uuid(00000000-0000-4000-8000-000000000001)", ["Ann"]],
    ["misc == 5", ["Ann"]],
    ["misc == 'five'", ["bob"]],
    ["misc == null", ["Chloé"]],
  ],
  "SORT, DISTINCT and LIMIT": [
    ["TRUEPREDICATE SORT(height DESC)", ["Ann", "bob", "Chloé"]],
    ["alive == true SORT(name ASC)", ["Ann", "Chloé"]],
    ["TRUEPREDICATE SORT(age ASC) LIMIT(2)", ["bob", "Chloé"]],
    ["TRUEPREDICATE DISTINCT(alive)", ["Ann", "bob"]],
  ],
};

const dogCases: Case[] = [
  ["@links.Person.dogs.@count == 0", ["Lonely"]],
  ["owners.@count == 2", ["Fido"]],
  ["ANY owners.name == 'Ann'", ["Rex", "Fido"]],
];

describe("RQL through filtered()", () => {
  const path = useTempDir();
  let realm: Realm;
  beforeAll(() => {
    realm = new Realm({ path: path(), schema });
    seed(realm);
    return () => realm.close();
  });

  for (const [family, cases] of Object.entries(personCases)) {
    describe(family, () => {
      it.each(cases)("%s", (query, expected, args) => {
        const results = realm.objects<Obj>("Person").filtered(query, ...(args ?? []));
        expect(results.map((p) => p.name)).toEqual(expected);
      });
    });
  }

  describe("backlinks", () => {
    it.each(dogCases)("%s", (query, expected, args) => {
      expect(
        realm
          .objects<Obj>("Dog")
          .filtered(query, ...(args ?? []))
          .map((d) => d.name),
      ).toEqual(expected);
    });
  });

  it("chains filtered() and sorted(), queries lists of objects, and stays live", () => {
    const adults = realm.objects<Obj>("Person").filtered("age > $0", 10).sorted("age", true);
    expect(adults.map((p) => p.name)).toEqual(["Ann", "Chloé"]);
    const ann = realm.objectForPrimaryKey<Obj>("Person", "Ann") as Obj;
    expect(ann.dogs.filtered("weight > 10").map((d: Obj) => d.name)).toEqual(["Rex"]);
    expect(ann.dogs.sorted("weight").map((d: Obj) => d.name)).toEqual(["Fido", "Rex"]);
    realm.write(() => {
      (realm.objectForPrimaryKey<Obj>("Person", "bob") as Obj).age = 50;
    });
    expect(adults.map((p) => p.name)).toEqual(["bob", "Ann", "Chloé"]);
    realm.write(() => {
      (realm.objectForPrimaryKey<Obj>("Person", "bob") as Obj).age = null;
    });
  });
});
