/**
 * Seed 002, "Stream Data to Atlas" (data ingest), translated to TypeScript: an asymmetric type
 * needs no subscription; objects made with `realm.ingest` (and `create`) in a write reach the
 * backend collection, cannot be queried on the device, and are removed from it once the
 * server has acknowledged them.
 */
import { ObjectId } from "bson";
import { describe, expect, it } from "vitest";
import { useDevices, useSyncServer } from "../support/syncHarness.js";

describe("seed 002: stream data to Atlas", () => {
  const server = useSyncServer();
  const device = useDevices(server);

  it("ingests asymmetric objects into the backend and drops them locally once uploaded", async () => {
    // Unlike bi-directional sync, data ingest does not use a subscription.
    const { realm, user, errors } = await device({ subscribe: null });
    const carId = new ObjectId();
    const readings = [0, 1, 2].map((i) => ({
      _id: new ObjectId(),
      ownerId: user.id,
      carId,
      timestamp: new Date(1_700_000_000_000 + i),
      value: 20.5 + i,
    }));
    realm.write(() => {
      realm.ingest("SensorReading", readings[0]!);
      realm.ingest("SensorReading", readings[1]!);
      realm.create("SensorReading", readings[2]!);
    });
    // You can't read asymmetric objects.
    expect(() => realm.objects("SensorReading")).toThrow(/cannot query an asymmetric object/);
    expect(realm.isEmpty).toBe(false);

    await realm.syncSession!.waitForUpload();
    const stored = await server()
      .server.data.system()
      .db("cars-db")
      .collection("SensorReading")
      .find({ carId }, { sort: { timestamp: 1 } });
    expect(stored).toEqual(readings);
    // Maintained on the device until data ingest synchronization is complete, then removed.
    expect(realm.isEmpty).toBe(true);
    expect(errors).toEqual([]);
  });

  it("refuses ingest() of a type that is not asymmetric", async () => {
    const { realm, user } = await device({ subscribe: null });
    expect(() =>
      realm.write(() =>
        realm.ingest("Car", { _id: new ObjectId(), ownerId: user.id, make: "Honda" }),
      ),
    ).toThrow(/ingest\(\) is for asymmetric types, and 'Car' is not one/);
  });
});
