/**
 * Property: undo images read back as written — key, owner, class name (any text) and the values
 * of objects that existed (JSON-safe ones and those stored as BSON alike); none for objects that
 * did not exist, and no entry for objects created and gone again.
 */
import fc from "fast-check";
import { ObjectId } from "bson";
import { describe, expect, it } from "vitest";
import type { ClassInfo, ObjectRow, Stored } from "../schema/ClassInfo.js";
import { decodeUndo, encodeUndo } from "./undoImages.js";

const stored: fc.Arbitrary<Stored> = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
  fc.boolean(),
  fc.constant(null),
  fc.date({ noInvalidDate: true }),
  fc.uint8Array({ maxLength: 8 }).map((bytes) => new ObjectId(Buffer.alloc(12, bytes[0] ?? 0))),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ minLength: 1 }), fc.integer(), { maxKeys: 3 }),
);

const entry = fc.record({
  key: fc.nat(),
  owner: fc.nat(),
  /** Whether the row is alive now: a row created and gone again has nothing to undo. */
  alive: fc.boolean(),
  className: fc.string({ minLength: 1, unit: "grapheme" }),
  image: fc.option(
    fc.record({
      alive: fc.boolean(),
      owner: fc.nat(),
      values: fc.dictionary(fc.string({ minLength: 1 }), stored, { maxKeys: 4 }),
    }),
  ),
});

describe("undo images", () => {
  it("read back as written", () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 10 }), (entries) => {
        const images = entries.map(({ key, owner, alive, className, image }) => {
          const row = { key, owner, alive, cls: { name: className } as ClassInfo } as ObjectRow;
          return [row, image] as const;
        });
        expect(decodeUndo(encodeUndo(images))).toEqual(
          entries
            .filter(({ alive, image }) => alive || image !== null)
            .map(({ key, owner, className, image }) => ({
              key,
              className,
              owner: image?.owner ?? owner,
              values: image?.alive ? image.values : null,
            })),
        );
      }),
      { numRuns: 500 },
    );
  });
});
