/**
 * Seed 003, "Write Data to a Synced Realm", translated to TypeScript: the seeds' Car model,
 * `owner-read-write` role and subscription (miles < 100 OR miles == null). A successful write
 * reaches a second device; a write outside the subscription and a write the role forbids each
 * appear, are reported as compensating writes (231) before they are reverted, leave the
 * client's log lines and the server's log entry the seed shows, and are gone after
 * waitForUpload + waitForDownload.
 */
import { ObjectId } from "bson";
import { describe, expect, it } from "vitest";
import { CompensatingWriteError, Realm } from "@atoll/client";
import type { Device } from "../support/syncHarness.js";
import { useDevices, useSyncLog, useSyncServer } from "../support/syncHarness.js";
import type { Car } from "../support/carModel.js";

const COMPENSATING =
  "Client attempted a write that is outside of permissions or query filters; it has been reverted";

describe("seed 003: writes to a synced realm", () => {
  const server = useSyncServer();
  const device = useDevices(server);
  const log = useSyncLog();

  /** The seed's setup: `new Realm(config)`, subscriptions.update, waitForSynchronization. */
  async function seedDevice(email?: string, onError?: () => void): Promise<Device> {
    const opened = await device({ email, subscribe: null, ...(onError ? { onError } : {}) });
    const { realm } = opened;
    await realm.subscriptions.update((mutableSubscriptions) => {
      const newCarQuery = realm.objects<Car>("Car").filtered("miles < 100 OR miles == $0", null);
      mutableSubscriptions.add(newCarQuery, { name: "new-car-subscription" });
    });
    await realm.subscriptions.waitForSynchronization();
    return opened;
  }

  /** The server's app log entries for compensating writes. */
  async function serverCompensatingEntries() {
    const entries = await server().server.logs.query({ limit: 1000 });
    return entries.filter((entry) => entry.message === `${COMPENSATING} (ProtocolErrorCode=231)`);
  }

  it("subscribes as the seed does", async () => {
    const { realm } = await seedDevice();
    expect(realm.subscriptions.state).toBe(Realm.SubscriptionSetState.Complete);
    expect(realm.subscriptions.findByName("new-car-subscription")?.queryString).toBe(
      "miles < 100 OR miles == null",
    );
  });

  it("syncs a successful write to the backend and to a second device", async () => {
    const email = `seed003-${new ObjectId().toHexString()}@example.com`;
    const phone = await seedDevice(email);
    const tablet = await seedDevice(email);
    const userId = phone.user.id;
    const carId = new ObjectId();
    phone.realm.write(() => {
      // WRITE SUCCEEDS: matches the subscription (miles < 100) and ownerId is the user's id.
      phone.realm.create("Car", { _id: carId, ownerId: userId, make: "Toyota", miles: 2 });
    });
    await phone.realm.syncSession!.waitForUpload();
    const stored = await server()
      .server.data.system()
      .db("cars-db")
      .collection("Car")
      .find({ _id: carId });
    expect(stored).toMatchObject([{ ownerId: userId, make: "Toyota", miles: 2 }]);

    await tablet.realm.syncSession!.waitForDownload();
    const seen = tablet.realm.objectForPrimaryKey<Car>("Car", carId);
    expect(seen?.make).toBe("Toyota");
    expect(phone.errors).toEqual([]);
    expect(tablet.errors).toEqual([]);
  });

  it("reverts a write outside the subscription with a compensating write", async () => {
    const carId = new ObjectId();
    const presentWhenReported: boolean[] = [];
    const { realm, user, errors } = await seedDevice(undefined, () =>
      presentWhenReported.push(realm.objectForPrimaryKey("Car", carId) !== null),
    );
    const ownerId = user.id;
    realm.write(() => {
      // WRITE REVERTED BY QUERY SUBSCRIPTION COMPENSATING WRITE: 90000 miles is not < 100.
      realm.create("Car", { _id: carId, ownerId, make: "Honda", miles: 90000 });
    });
    expect(realm.objectForPrimaryKey("Car", carId)).not.toBeNull();
    // Let changes sync to and from server.
    await realm.syncSession!.waitForUpload();
    await realm.syncSession!.waitForDownload();
    const noCar = realm.objectForPrimaryKey("Car", carId);
    // The Car is no longer in the realm because of the compensating write from the server,
    // which was reported while the car was still there.
    expect(noCar).toBeNull();
    expect(presentWhenReported).toEqual([true]);

    expect(errors).toHaveLength(1);
    const error = errors[0] as CompensatingWriteError;
    expect(error).toBeInstanceOf(CompensatingWriteError);
    expect(error).toBeInstanceOf(Realm.SyncError);
    expect([error.code, error.isFatal, error.message]).toEqual([231, false, COMPENSATING]);
    const reason = `write to "${carId.toHexString()}" in table "Car" not allowed; object is outside of the current query view`;
    expect(error.writes).toEqual([{ objectName: "Car", primaryKey: carId, reason }]);

    expect(log.lines).toContain(
      `Connection[1]: Session[1]: Received: ERROR "${COMPENSATING}" (error_code=231, try_again=true, error_action=Warning)`,
    );
    expect(log.lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(
            `^Connection\\[1\\]: Session\\[1\\]: Reporting compensating write for client version \\d+ in server version \\d+: ${COMPENSATING}$`,
          ),
        ),
      ]),
    );
    const entries = await serverCompensatingEntries();
    expect(entries.map((entry) => entry.details)).toContainEqual({
      Car: { [carId.toHexString()]: reason },
    });
  });

  it("reverts a write the role does not allow with a compensating write", async () => {
    const { realm, errors } = await seedDevice();
    const carId = "someOtherId";
    const otherUsersCarId = new ObjectId();
    realm.write(() => {
      // WRITE REVERTED BY PERMISSION ERROR: ownerId is not the user's id.
      realm.create("Car", { _id: otherUsersCarId, ownerId: carId, make: "Ford" });
    });
    expect(realm.objectForPrimaryKey("Car", otherUsersCarId)).not.toBeNull();
    // sync changes
    await realm.syncSession!.waitForUpload();
    await realm.syncSession!.waitForDownload();
    expect(realm.objectForPrimaryKey("Car", otherUsersCarId)).toBeNull();
    expect(realm.objects<Car>("Car").filtered("ownerId == $0", carId)).toHaveLength(0);

    expect(errors).toHaveLength(1);
    const error = errors[0] as CompensatingWriteError;
    expect([error.code, error.isFatal, error.message]).toEqual([231, false, COMPENSATING]);
    const reason = `write to "${otherUsersCarId.toHexString()}" in table "Car" was denied by write filter in role "owner-read-write"`;
    expect(error.writes).toEqual([{ objectName: "Car", primaryKey: otherUsersCarId, reason }]);
    expect(log.lines).toContain(
      `Connection[1]: Session[1]: Received: ERROR "${COMPENSATING}" (error_code=231, try_again=true, error_action=Warning)`,
    );
    const entries = await serverCompensatingEntries();
    expect(entries.map((entry) => entry.details)).toContainEqual({
      Car: { [otherUsersCarId.toHexString()]: reason },
    });
  });
});
