/**
 * One uploaded changeset of `n` list inserts on one object (appending strings to a car's
 * `tags`), from the upload until the server acknowledged it: the cost the server pays per
 * list instruction. The server runs in this process on a SQLite file, the device is the
 * sync test client over a real WebSocket. The limits are raised so every size is accepted.
 *
 *   npx tsx --conditions=@atoll/source bench/sync/listInserts.ts [sizes=20000,40000,200000]
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { ObjectId } from "bson";
import type { Instruction } from "@atoll/protocol";
import { copyCarsApp } from "../../packages/server/src/config/test-support/appFixture.js";
import { startSyncServer } from "../../packages/server/src/sync/test-support/startSyncServer.js";
import { fmt } from "../server/support.js";

const SIZES = (process.argv[2] ?? "20000,40000,200000").split(",").map(Number);

const app = await copyCarsApp();
const schemaFile = path.join(app.dir, "data_sources/mongodb-atlas/cars-db/Car/schema.json");
const schema = JSON.parse(await readFile(schemaFile, "utf8")) as {
  properties: Record<string, unknown>;
};
schema.properties.tags = { bsonType: "array", items: { bsonType: "string" } };
await writeFile(schemaFile, JSON.stringify(schema));
const max = Math.max(...SIZES) + 10;
const t = await startSyncServer({
  appDir: app.dir,
  sync: {
    limits: {
      maxChangesetInstructions: max,
      maxObjectInstructions: max,
      maxListLength: max,
    },
  },
});
try {
  const login = await t.logIn();
  const device = await t.connect(login);
  await device.bind();
  await device.subscribe(1, { Car: "_id != null" });
  for (const n of SIZES) {
    const pk = new ObjectId();
    const instructions: Instruction[] = [
      { type: "CreateObject", table: "Car", pk },
      { type: "Update", table: "Car", pk, path: ["ownerId"], value: login.userId },
      { type: "Update", table: "Car", pk, path: ["make"], value: "Bench" },
    ];
    for (let i = 0; i < n; i++)
      instructions.push({
        type: "ArrayInsert",
        table: "Car",
        pk,
        path: ["tags", i],
        priorSize: i,
        value: `t${i % 100}`,
      });
    const start = performance.now();
    const version = device.upload(instructions);
    await device.acknowledged(version);
    const ms = performance.now() - start;
    const stored = await t.server.data
      .system()
      .db("cars-db")
      .collection("Car")
      .findOne({ _id: pk });
    const length = (stored?.tags as unknown[] | undefined)?.length ?? 0;
    console.log(
      `${n} inserts: ${fmt(ms)} ms (${fmt((ms * 1000) / n)} µs per insert), list stored with ${length} elements`,
    );
  }
} finally {
  await t.stop();
  await app.remove();
}
