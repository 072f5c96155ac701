/**
 * Property: applying a changeset in one go (where the applier reuses the object the previous
 * instruction addressed, and creates a new object with the plain field values set right after
 * its CreateObject) leaves the same state as applying its instructions one at a time, each in
 * a changeset of its own — also with instructions that do not fit the schema among them, which
 * lenient mode skips.
 */
import fc from "fast-check";
import type { Instruction } from "@atoll/protocol";
import { describe, expect, it } from "vitest";
import { Realm } from "../../Realm.js";
import { applyTo, dump, localOp, serverInstructions } from "./randomOperations.js";
import { databaseOf, long, on, syncSchema } from "./testSupport.js";

let realms = 0;
const memoryRealm = (): Realm =>
  new Realm({ inMemory: true, path: `applier-property-${++realms}`, schema: syncSchema });

/** Instructions that do not fit: a wrong value type, an unknown property, a field of a missing object. */
const misfit = fc.constantFrom<Instruction[]>(
  [on("Car", "a").set(["model"], long(1))],
  [on("Car", "b").set(["nope"], "x")],
  [on("Car", "c").set(["miles"], "many")],
  [on("Car", "zz").set(["model"], "ghost")],
);

const step = fc.oneof(
  { weight: 4, arbitrary: localOp.map((op) => ({ op, misfit: undefined })) },
  { weight: 1, arbitrary: misfit.map((instructions) => ({ op: undefined, misfit: instructions })) },
);

describe("instruction applier", () => {
  it("applies a changeset as its instructions one by one would", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        const generator = memoryRealm();
        const whole = memoryRealm();
        const single = memoryRealm();
        try {
          const instructions: Instruction[] = [];
          for (const { op, misfit: bad } of steps) {
            const generated = op ? serverInstructions(databaseOf(generator), op) : (bad ?? []);
            applyTo(databaseOf(generator), generated, "lenient");
            instructions.push(...generated);
          }
          applyTo(databaseOf(whole), instructions, "lenient");
          for (const instruction of instructions)
            applyTo(databaseOf(single), [instruction], "lenient");
          expect(dump(databaseOf(whole))).toEqual(dump(databaseOf(single)));
          expect(dump(databaseOf(whole))).toEqual(dump(databaseOf(generator)));
        } finally {
          for (const realm of [generator, whole, single]) realm.close();
        }
      }),
      { numRuns: Number(process.env.REBASE_RUNS ?? 200) },
    );
  });
});
