/**
 * The whole server on PostgreSQL: `atoll serve --storage postgres://…` as a child process,
 * with a device syncing through it, a function call, and data-API writes and reads, all
 * meeting in the one database. Each run keeps its store in a schema of its own.
 */
import { ObjectId } from "bson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliProcess } from "../packages/server/src/cli/test-support/cliProcess.js";
import { openStorage } from "../packages/server/src/storage/openStorage.js";
import { PostgresSchemas } from "../packages/server/src/storage/test-support/postgresSchemas.js";
import type { Car } from "./support/carModel.js";
import { carsAppWithInsertFunction, useDevices, whenRealm } from "./support/syncHarness.js";

const LISTENING = /^Atoll listening on (http:\/\/[^ ]+) \(app ([^)]+)\)$/;
const schemas = new PostgresSchemas();
const appDir = carsAppWithInsertFunction();
let cli: CliProcess | undefined;
let server: { url: string; appId: string } | undefined;

beforeAll(async () => {
  cli = new CliProcess([
    "serve",
    "--app",
    appDir,
    "--port",
    "0",
    "--log-level",
    "info",
    "--storage",
    schemas.spec("serve"),
  ]);
  const line = await cli.waitForLine(LISTENING);
  const [, url = "", appId = ""] = LISTENING.exec(line) ?? [];
  server = { url, appId };
});
afterAll(async () => {
  await cli?.signal("SIGTERM");
  await schemas.dropAll();
});

describe("atoll serve on PostgreSQL", () => {
  const device = useDevices(() => {
    if (server === undefined) throw new Error("the server has not started");
    return server;
  });

  it("logs in, syncs a device, runs a function and the data API over one database", async () => {
    const phone = await device({ email: `pg-${new ObjectId().toHexString()}@example.com` });
    // A device's write reaches storage, and the data API reads it.
    const fromDevice = new ObjectId();
    phone.realm.write(() =>
      phone.realm.create("Car", {
        _id: fromDevice,
        ownerId: phone.user.id,
        make: "Saab",
        miles: 5,
      }),
    );
    await phone.realm.syncSession!.waitForUpload();
    const cars = phone.user.mongoClient("mongodb-atlas").db("cars-db").collection("Car");
    expect(await cars.findOne({ _id: fromDevice })).toMatchObject({ make: "Saab", miles: 5 });

    // A data-API write and a function's write reach the device.
    const fromDataApi = new ObjectId();
    await cars.insertOne({ _id: fromDataApi, ownerId: phone.user.id, make: "Volvo", miles: 7 });
    const fromFunction = new ObjectId();
    await phone.user.functions.insertCar!({ _id: fromFunction, make: "Fiat", miles: 12 });
    const makes = await whenRealm(phone.realm, () => {
      const found = [fromDataApi, fromFunction].map(
        (id) => phone.realm.objectForPrimaryKey<Car>("Car", id)?.make,
      );
      return found.every((make) => make !== undefined) ? found : undefined;
    });
    expect(makes).toEqual(["Volvo", "Fiat"]);
    expect(phone.errors).toEqual([]);

    // Everything is in the database, where any other node would read it.
    const storage = await openStorage(schemas.spec("serve"));
    try {
      const stored = await storage.scan(
        { db: "cars-db", coll: "Car" },
        { ids: [fromDevice, fromDataApi, fromFunction] },
      );
      expect(stored.map((s) => s.doc.make)).toEqual(["Saab", "Volvo", "Fiat"]);
      const users = await storage.listNamespaces();
      expect(users.some((ns) => ns.db.startsWith("__atoll"))).toBe(true);
    } finally {
      await storage.close();
    }
  });

  it("never shows the database password in its banner or logs", () => {
    const password = new URL(process.env.ATOLL_PG_URL ?? "postgres://x").password;
    expect(password).not.toBe("");
    expect(cli?.stdout).toContain("storage:   postgres://");
    expect(cli?.stdout).not.toContain(`:${password}@`);
    expect(cli?.stderr).not.toContain(`:${password}@`);
  });
});
