import { Binary, Long, ObjectId } from "bson";
import fc from "fast-check";
import { expect, it } from "vitest";
import { bsonEquals } from "./bsonEquals.js";
import { setErase, setInsert } from "./setIndex.js";

const id = new ObjectId();
const pool: unknown[] = [
  1,
  Long.fromNumber(1),
  1.5,
  "1",
  null,
  true,
  new Date(0),
  new Date(0),
  id,
  new ObjectId(id.toHexString()),
  new ObjectId(),
  new Binary(Buffer.from("a")),
  new Binary(Buffer.from("a")),
  Number.NaN,
  2 ** 60,
  Long.fromString("1152921504606846976"),
];

it("keeps the same elements as comparing with every element would", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.boolean(), fc.nat({ max: pool.length - 1 })), { maxLength: 40 }),
      (steps) => {
        const indexed: unknown[] = [];
        const naive: unknown[] = [];
        for (const [insert, i] of steps) {
          const value = pool[i];
          const at = naive.findIndex((item) => bsonEquals(item, value));
          if (insert) {
            setInsert(indexed, value);
            if (at < 0) naive.push(value);
          } else {
            setErase(indexed, value);
            if (at >= 0) naive.splice(at, 1);
          }
          expect(indexed).toEqual(naive);
        }
      },
    ),
    { numRuns: 300 },
  );
});
