/**
 * A counter reads as a `Counter` object, but queries, sorting and aggregates see its number,
 * as Realm JS's do: checked against plain JavaScript over generated values.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Realm } from "./Realm.js";
import type { Counter } from "./objects/Counter.js";
import type { ObjectSchema } from "./index.js";

interface Score {
  _id: number;
  points: Counter;
  optional: Counter | null;
}

interface Team {
  _id: number;
  members: Score[];
}

const schema: ObjectSchema[] = [
  {
    name: "Score",
    primaryKey: "_id",
    properties: { _id: "int", points: "counter", optional: "counter?" },
  },
  { name: "Team", primaryKey: "_id", properties: { _id: "int", members: "Score[]" } },
];

let counter = 0;
function realmWith(values: readonly (readonly [number, number | null])[]): Realm {
  const realm = new Realm({ inMemory: true, path: `counter-queries-${++counter}`, schema });
  realm.write(() => {
    const scores = values.map(([points, optional], i) =>
      realm.create("Score", { _id: i, points, optional }),
    );
    realm.create("Team", { _id: 0, members: scores });
  });
  return realm;
}

const ids = (results: Iterable<Score>): number[] => [...results].map((score) => score._id);
const small = fc.integer({ min: -50, max: 50 });

describe("queries on counters", () => {
  it("filter, sort and aggregate by the counter's number", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(small, fc.option(small)), { minLength: 1, maxLength: 12 }),
        small,
        (values, bound) => {
          const realm = realmWith(values);
          try {
            const scores = realm.objects<Score>("Score");
            const all = values.map(([points, optional], i) => ({ i, points, optional }));
            const expectIds = (query: string, keep: (v: (typeof all)[number]) => boolean) =>
              expect(ids(scores.filtered(query, bound))).toEqual(all.filter(keep).map((v) => v.i));
            expectIds("points > $0", (v) => v.points > bound);
            expectIds("points == $0", (v) => v.points === bound);
            expectIds(
              "points <= $0 OR optional == $0",
              (v) => v.points <= bound || v.optional === bound,
            );
            expectIds("optional == null", (v) => v.optional === null);
            expectIds("optional >= $0", (v) => v.optional !== null && v.optional >= bound);

            const byPoints = [...all].sort((a, b) => b.points - a.points || a.i - b.i);
            expect(ids(scores.sorted([["points", true], "_id"]))).toEqual(byPoints.map((v) => v.i));
            const points = all.map((v) => v.points);
            expect(scores.max("points")).toBe(Math.max(...points));
            expect(scores.min("points")).toBe(Math.min(...points));
            expect(scores.sum("points")).toBe(points.reduce((a, b) => a + b, 0));
            const present = all.flatMap((v) => (v.optional === null ? [] : [v.optional]));
            expect(scores.sum("optional")).toBe(present.reduce((a, b) => a + b, 0));

            const teams = realm.objects<Team>("Team");
            const total = points.reduce((a, b) => a + b, 0);
            expect(teams.filtered("members.@sum.points == $0", total).length).toBe(1);
            expect(teams.filtered("ANY members.points > $0", bound).length).toBe(
              points.some((p) => p > bound) ? 1 : 0,
            );
          } finally {
            realm.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("sees an increment in a live query", () => {
    const realm = realmWith([
      [1, null],
      [5, 2],
    ]);
    try {
      const high = realm.objects<Score>("Score").filtered("points >= 5");
      expect(ids(high)).toEqual([1]);
      realm.write(() => realm.objectForPrimaryKey<Score>("Score", 0)!.points.increment(10));
      expect(ids(high)).toEqual([0, 1]);
    } finally {
      realm.close();
    }
  });
});
