/**
 * Concurrent writes from native devices converge: two realm-core devices of one user change
 * the same car while one of them is offline; once both have synced they hold the same car.
 * The server merges with Atoll's rules, the devices transform with realm-core's; for fields,
 * erases and counters these are the same rules (the later write wins, an erase wins).
 */
import { expect, it } from "vitest";
import type { RealmFlxDevice } from "./test-support/RealmFlxDevice.js";
import {
  CHEAP_CARS as subscriptions,
  NATIVE_CAR_SCHEMA as CAR_SCHEMA,
  useRealmFlxServer,
} from "./test-support/realmFlxHarness.js";

const _id = { $oid: "65f1a1b2c3d4e5f601234f01" };

const { device: startDevice } = useRealmFlxServer();

async function twoDevices(email: string) {
  const password = "password123";
  const started: RealmFlxDevice[] = [];
  let userId = "";
  for (const name of ["phone", "tablet"]) {
    const device = await startDevice(name);
    if (name === "phone") await device.command({ cmd: "register", email, password });
    userId = String(
      (await device.command({ cmd: "login", provider: "email", email, password })).userId,
    );
    await device.command({ cmd: "open", path: "cars.realm", schema: CAR_SCHEMA, subscriptions });
    started.push(device);
  }
  const [phone, tablet] = started as [RealmFlxDevice, RealmFlxDevice];
  await phone.command({
    cmd: "write",
    ops: [
      {
        op: "create",
        class: "Car",
        value: { _id, ownerId: userId, make: "VW", model: "Golf", miles: 1 },
      },
    ],
  });
  await phone.command({ cmd: "upload" });
  await tablet.command({ cmd: "download" });
  return { phone, tablet };
}

async function cars(device: RealmFlxDevice): Promise<unknown> {
  await device.command({ cmd: "upload" });
  await device.command({ cmd: "download" });
  return (await device.command({ cmd: "query", class: "Car" })).objects;
}

it("the later of two offline changes to one field wins on both devices; other fields keep both", async () => {
  const { phone, tablet } = await twoDevices("conflict@example.com");
  await phone.command({ cmd: "pause" });
  await phone.command({
    cmd: "write",
    ops: [{ op: "set", class: "Car", pk: _id, field: "miles", value: 20 }],
  });
  await phone.command({
    cmd: "write",
    ops: [{ op: "set", class: "Car", pk: _id, field: "model", value: "Polo" }],
  });
  await tablet.command({
    cmd: "write",
    ops: [{ op: "set", class: "Car", pk: _id, field: "miles", value: 30 }],
  });
  await tablet.command({ cmd: "upload" });
  await phone.command({ cmd: "resume" });

  const onPhone = await cars(phone);
  const onTablet = await cars(tablet);
  expect(onPhone).toEqual(onTablet);
  expect(onPhone).toEqual([
    expect.objectContaining({ model: "Polo", miles: { $numberLong: "30" } }),
  ]);
});

it("an erase made offline wins over a concurrent change", async () => {
  const { phone, tablet } = await twoDevices("erase@example.com");
  await phone.command({ cmd: "pause" });
  await phone.command({ cmd: "write", ops: [{ op: "delete", class: "Car", pk: _id }] });
  await tablet.command({
    cmd: "write",
    ops: [{ op: "set", class: "Car", pk: _id, field: "miles", value: 50 }],
  });
  await tablet.command({ cmd: "upload" });
  await phone.command({ cmd: "resume" });

  expect(await cars(phone)).toEqual([]);
  expect(await cars(tablet)).toEqual([]);
});
