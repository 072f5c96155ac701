/**
 * A role whose `apply_when` calls a function (`%function`) is chosen in sync sessions as on
 * the HTTP side: the function runs for the session's user when the session starts.
 */
import { decodeChangeset } from "@atoll/protocol";
import { ObjectId } from "bson";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { copyCarsApp } from "../../config/test-support/appFixture.js";
import { startSyncServer, type SyncTestServer } from "../test-support/startSyncServer.js";

let t: SyncTestServer;
let removeApp: () => Promise<void>;

beforeAll(async () => {
  const app = await copyCarsApp();
  removeApp = app.remove;
  const functions = path.join(app.dir, "functions");
  const config = JSON.parse(
    await readFile(path.join(functions, "config.json"), "utf8"),
  ) as unknown[];
  config.push({ name: "isFleetManager", private: true, run_as_system: true });
  await writeFile(path.join(functions, "config.json"), JSON.stringify(config));
  // A fleet manager is whoever logs in with email/password (an anonymous user is not).
  await writeFile(
    path.join(functions, "isFleetManager.js"),
    "exports = (userId) => context.user.id === userId && context.user.identities.some((i) => i.provider_type === 'local-userpass');",
  );
  const rules = path.join(app.dir, "data_sources", "mongodb-atlas", "cars-db", "Car", "rules.json");
  const ruleSet = JSON.parse(await readFile(rules, "utf8")) as { roles: unknown[] };
  ruleSet.roles.unshift({
    name: "fleet-manager",
    apply_when: { "%%true": { "%function": { name: "isFleetManager", arguments: ["%%user.id"] } } },
    read: true,
    write: true,
  });
  await writeFile(rules, JSON.stringify(ruleSet));
  t = await startSyncServer({ appDir: app.dir });
});
afterAll(async () => {
  await t.stop();
  await removeApp();
});

it("chooses a role by a function in apply_when for the session's user", async () => {
  const id = new ObjectId();
  await t.server.data
    .system()
    .db("cars-db")
    .collection("Car")
    .insertOne({ _id: id, ownerId: "someone else", make: "Lada", miles: 7 });
  const seesTheCar = async (login: Awaited<ReturnType<SyncTestServer["logIn"]>>) => {
    const device = await t.connect(login);
    await device.bind();
    const batches = await device.subscribe(1, { Car: "miles >= 0" });
    return batches
      .flatMap((b) => b.changesets)
      .flatMap((c) => decodeChangeset(c.changeset))
      .some((i) => i.type === "CreateObject" && id.equals(i.pk as ObjectId));
  };
  expect(await seesTheCar(await t.logIn())).toBe(false); // anonymous: owner-read-write
  expect(
    await seesTheCar(await t.logIn({ email: "fleet@example.com", password: "fleet-password" })),
  ).toBe(true); // fleet manager: everything
});
