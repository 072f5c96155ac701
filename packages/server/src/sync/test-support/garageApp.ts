/**
 * A copy of the cars example whose Car has one property of every shape sync serves: a list,
 * a set, a dictionary, an embedded object, a list of embedded objects, a link and a list of
 * links (to Car), a double and a date. The seeds' owner role still applies (read and write
 * own cars). `limits` go to the server as `sync.limits`.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { copyCarsApp } from "../../config/test-support/appFixture.js";
import type { SyncLimits } from "../upload/syncLimits.js";
import { startSyncServer, type SyncTestServer } from "./startSyncServer.js";

const CAR_LINK = {
  ref: "#/relationship/mongodb-atlas/cars-db/Car",
  source_key: "_id",
  foreign_key: "_id",
};

export const GARAGE_CAR_SCHEMA = {
  title: "Car",
  bsonType: "object",
  required: ["_id", "ownerId", "make"],
  properties: {
    _id: { bsonType: "objectId" },
    ownerId: { bsonType: "string" },
    make: { bsonType: "string" },
    model: { bsonType: "string" },
    miles: { bsonType: "int" },
    price: { bsonType: "double" },
    built: { bsonType: "date" },
    tags: { bsonType: "array", items: { bsonType: "string" } },
    codes: { bsonType: "array", uniqueItems: true, items: { bsonType: "int" } },
    notes: { bsonType: "object", additionalProperties: { bsonType: "string" } },
    engine: {
      title: "Engine",
      bsonType: "object",
      properties: { power: { bsonType: "int" }, fuel: { bsonType: "string" } },
    },
    wheels: {
      bsonType: "array",
      items: { title: "Wheel", bsonType: "object", properties: { size: { bsonType: "int" } } },
    },
    towedBy: { bsonType: "objectId" },
    convoy: { bsonType: "array", items: { bsonType: "objectId" } },
  },
};

export interface GarageServer {
  readonly t: SyncTestServer;
  stop(): Promise<void>;
}

export async function startGarageServer(limits: Partial<SyncLimits> = {}): Promise<GarageServer> {
  const app = await copyCarsApp();
  const car = path.join(app.dir, "data_sources", "mongodb-atlas", "cars-db", "Car");
  await writeFile(path.join(car, "schema.json"), JSON.stringify(GARAGE_CAR_SCHEMA));
  await writeFile(
    path.join(car, "relationships.json"),
    JSON.stringify({ towedBy: CAR_LINK, convoy: { ...CAR_LINK, is_list: true } }),
  );
  const t = await startSyncServer({ appDir: app.dir, sync: { limits } });
  return {
    t,
    stop: async () => {
      await t.stop();
      await app.remove();
    },
  };
}
