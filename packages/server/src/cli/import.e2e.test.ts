/**
 * `atoll import` as a user runs it, a real child process, beside a running server on the same
 * SQLite store: a whole mongodump directory (a gzipped `.bson` with its metadata) and a
 * `mongoexport --jsonArray` file go in, a rejected document is reported by file and position
 * (exit 1), progress is printed as plain lines off a terminal, and a device subscribed before
 * the import receives the imported cars.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { decodeChangeset, type Instruction } from "@atoll/protocol";
import { ObjectId } from "bson";
import { afterEach, expect, it } from "vitest";
import { CARS_APP_DIR } from "../config/test-support/appFixture.js";
import { startSyncServer, type SyncTestServer } from "../sync/test-support/startSyncServer.js";
import type { DownloadMessage } from "@atoll/protocol";
import { extendedJson, writeBsonCollection } from "../transfer/test-support/dumpFiles.js";
import { runCli } from "./test-support/cliProcess.js";

let t: SyncTestServer | undefined;
afterEach(async () => t?.stop());

function createdCars(downloads: readonly DownloadMessage[]): Instruction[] {
  return downloads
    .flatMap((download) => download.changesets)
    .flatMap((changeset) => decodeChangeset(changeset.changeset))
    .filter((instruction) => instruction.type === "CreateObject");
}

it("imports a dump and an export beside a running server, and its devices receive them", async () => {
  t = await startSyncServer();
  const login = await t.logIn();
  const device = await t.connect(login);
  await device.bind();
  await device.subscribe(1, { Car: `ownerId == "${login.userId}"` });

  const dumped = Array.from({ length: 30 }, (_, i) => ({
    _id: new ObjectId(),
    ownerId: login.userId,
    make: "Ford",
    miles: i,
  }));
  const exported = Array.from({ length: 5 }, () => ({
    _id: new ObjectId(),
    ownerId: login.userId,
    make: "Kia",
  }));
  const dump = path.join(t.dir, "dump");
  mkdirSync(path.join(dump, "cars-db"), { recursive: true });
  writeBsonCollection(path.join(dump, "cars-db", "Car.bson.gz"), dumped, true);
  const exportFile = path.join(t.dir, "Car.json");
  writeFileSync(
    exportFile,
    extendedJson([...exported, { _id: new ObjectId(), make: "no owner" }], "array", false),
  );
  const rejects = path.join(t.dir, "rejects.jsonl");

  const run = await runCli([
    "import",
    dump,
    exportFile,
    "--app",
    CARS_APP_DIR,
    "--storage",
    `sqlite:${path.join(t.dir, "app.db")}`,
    "--rejects",
    rejects,
  ]);
  expect(run.code).toBe(1);
  expect(run.stderr).toContain(
    `rejected ${exportFile}:6: failed to validate document: field "ownerId" is required`,
  );
  expect(run.stderr).toMatch(/^import: 36 documents, .*\/s, 100%/m);
  expect(run.stdout).toContain("imported 35 documents");
  expect(
    readFileSync(rejects, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as unknown),
  ).toEqual([
    {
      file: exportFile,
      position: 6,
      reason: 'failed to validate document: field "ownerId" is required',
    },
  ]);

  const expected = new Set([...dumped, ...exported].map((car) => car._id.toHexString()));
  const seen = new Set<string>();
  while (seen.size < expected.size) {
    const download = await device.next("download", (d) => createdCars([d]).length > 0);
    for (const i of createdCars([download])) seen.add((i.pk as ObjectId).toHexString());
  }
  expect(seen).toEqual(expected);

  const again = await runCli([
    "import",
    dump,
    "--app",
    CARS_APP_DIR,
    "--storage",
    `sqlite:${path.join(t.dir, "app.db")}`,
  ]);
  expect(again.stdout).toContain("already imported, skipped");
  expect(again.code).toBe(0);
});
