/**
 * Fuzzer: three devices of one user, going offline and back at random, make any mix of edits
 * to the lists and dictionaries nested in a car's mixed `extras` (replacements, inserts,
 * erases, key writes, edits two levels down, scalars); once all are online and quiet, every
 * device holds what the server stores.
 */
import { ObjectId } from "bson";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuzzParameters } from "../../packages/protocol/src/test-support/fuzzParameters.js";
import { extrasOf, settle, useMixedCars, type Car } from "../support/mixedCars.js";

describe("lists and dictionaries in a synced mixed property", () => {
  const { device } = useMixedCars();

  it("devices going offline and back converge on any mix of nested edits (generated)", async () => {
    const email = `mixed-${new ObjectId().toHexString()}@example.com`;
    const devices = [await device(email), await device(email), await device(email)];
    const realms = devices.map((d) => d.realm);
    const cars = devices[0]!.user.mongoClient("mongodb-atlas").db("cars-db").collection("Car");
    const step = fc.record({
      device: fc.nat(2),
      kind: fc.nat(7),
      at: fc.nat(3),
      word: fc.constantFrom("x", "y", "z"),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        const id = new ObjectId();
        realms[0]!.write(() =>
          realms[0]!.create("Car", {
            _id: id,
            ownerId: devices[0]!.user.id,
            make: "Saab",
            extras: { l: ["a"], d: { k: 1 } },
          }),
        );
        await settle(...realms);
        for (const { device: which, kind, at, word } of steps) {
          const realm = realms[which]!;
          if (kind === 7) {
            const session = realm.syncSession!;
            if (session.state === "active") session.pause();
            else session.resume();
            continue;
          }
          realm.write(() => editNested(realm.objectForPrimaryKey<Car>("Car", id)!, kind, at, word));
        }
        for (const realm of realms) realm.syncSession!.resume();
        await settle(...realms);
        const stored = (await cars.findOne({ _id: id }))?.extras;
        for (const realm of realms) expect(extrasOf(realm, id)).toEqual(stored);
      }),
      fuzzParameters(6),
    );
    expect(devices.flatMap((d) => d.errors)).toEqual([]);
  });
});

/** One edit of a car's `extras`, when it has the shape the edit needs. */
function editNested(car: Car, kind: number, at: number, word: string): void {
  const extras: unknown = car.extras;
  const dictionary =
    extras instanceof Object && !Array.isArray(extras) && "l" in extras ? car.extras : undefined;
  const list = dictionary?.l instanceof Object && "push" in dictionary.l ? dictionary.l : undefined;
  switch (kind) {
    case 0:
      car.extras = { l: [word], d: { k: at } };
      return;
    case 1:
      list?.splice(at % (list.length + 1), 0, at % 2 === 0 ? word : [word]);
      return;
    case 2:
      if (list && list.length > 0) list.splice(at % list.length, 1);
      return;
    case 3:
      if (dictionary?.d instanceof Object) dictionary.d[word] = at;
      return;
    case 4:
      if (dictionary) dictionary.l = [word, { deep: at }];
      return;
    case 5:
      if (list && list.length > 0 && list[0] instanceof Object && "push" in list[0])
        list[0].push(word);
      return;
    default:
      car.extras = word;
  }
}
