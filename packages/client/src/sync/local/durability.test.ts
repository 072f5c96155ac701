import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3-multiple-ciphers";
import { ObjectId } from "bson";
import { decodeChangeset } from "@atoll/protocol";
import { describe, expect, it } from "vitest";
import { Realm } from "../../Realm.js";
import type { RealmObject } from "../../objects/RealmObject.js";
import { encodeValues } from "../../core/rowCodec.js";
import type { ObjectSchema } from "../../schema/types.js";
import { SqliteStore } from "../../store/SqliteStore.js";
import { useRealms, useTempDir } from "../../test-support/realms.js";
import { localSyncStateFor } from "./LocalSyncState.js";
import { databaseOf, fromServer, on, syncSchema } from "./testSupport.js";

type Obj = RealmObject & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- dynamic schema in tests

const child = fileURLToPath(new URL("./integrateCrashChild.ts", import.meta.url));

function runUntilKilled(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      ["--conditions=@atoll/source", "--import", "tsx", child, path],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    proc.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    proc.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("integrating")) proc.kill("SIGKILL");
    });
    proc.on("exit", (_code, signal) =>
      signal === "SIGKILL" ? resolve() : reject(new Error(`child exited on its own: ${stderr}`)),
    );
  });
}

describe("durability of the local sync state", () => {
  const path = useTempDir();
  const open = useRealms();
  const config = (file: string) => ({
    path: file,
    schema: syncSchema,
    sync: { flexible: true as const },
  });

  it("keeps objects, metadata and the pending log (with what undoes it) across reopening", () => {
    const file = path();
    let realm = new Realm(config(file));
    let state = localSyncStateFor(databaseOf(realm));
    expect(state.metadata()).toEqual({
      clientFileIdent: null,
      download: { serverVersion: 0, lastIntegratedClientVersion: 0 },
      latestServerVersion: { version: 0, salt: 0 },
      subscriptions: null,
    });
    state.saveMetadata({ clientFileIdent: { ident: 7, salt: 99 } });
    realm.write(() => realm.create("Car", { _id: "c1", model: "T" }));
    realm.write(() => realm.create("Car", { _id: "c2", model: "mine" }));
    state.integrate({
      changesets: [
        fromServer([on("Car", "c2").create(), on("Car", "c2").set(["model"], "theirs")], 1),
      ],
      uploadAcknowledged: 1,
      metadata: {
        download: { serverVersion: 5, lastIntegratedClientVersion: 1 },
        subscriptions: { active: 1 },
      },
    });
    const metadata = state.metadata();
    realm.close();

    realm = open(config(file));
    state = localSyncStateFor(databaseOf(realm));
    expect(state.metadata()).toEqual(metadata);
    expect(metadata.clientFileIdent).toEqual({ ident: 7, salt: 99 });
    expect(metadata.download.serverVersion).toBe(5);
    expect(state.pendingUploads().map((p) => p.clientVersion)).toEqual([2]);
    expect(state.lastClientVersion()).toBe(2);
    expect(realm.objectForPrimaryKey<Obj>("Car", "c2")?.model).toBe("mine");
    // The pending creation is still undone correctly after the restart.
    state.integrate({
      changesets: [fromServer([on("Car", "c2").erase(), on("Car", "c1").set(["model"], "S")], 1)],
      uploadAcknowledged: 1,
    });
    expect(realm.objectForPrimaryKey<Obj>("Car", "c1")?.model).toBe("S");
    expect(realm.objectForPrimaryKey<Obj>("Car", "c2")?.model).toBe("mine");
    state.integrate({ changesets: [], uploadAcknowledged: 2 });
    expect(state.pendingUploads()).toEqual([]);
    expect(state.lastClientVersion()).toBe(2);
  });

  it("opens and upgrades a format 1 file; reads one read-only as it is", () => {
    const file = path();
    const raw = new Database(file);
    raw.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE objects (key INTEGER PRIMARY KEY, class TEXT NOT NULL, owner INTEGER NOT NULL, data BLOB NOT NULL);
      CREATE TABLE upload_log (version INTEGER PRIMARY KEY AUTOINCREMENT, created_at INTEGER NOT NULL, changeset BLOB NOT NULL);
      INSERT INTO meta VALUES ('format_version', '1');
    `);
    raw.close();
    const readOnly = new SqliteStore(file, { readOnly: true });
    expect(readOnly.readUndoLog().size).toBe(0);
    expect(readOnly.readSyncMetadata()).toBeUndefined();
    readOnly.close();
    const realm = open(config(file));
    realm.write(() => realm.create("Car", { _id: "c1", model: "T" }));
    const state = localSyncStateFor(databaseOf(realm));
    state.integrate({
      changesets: [fromServer([on("Car", "c1").set(["price"], 1)], 1)],
      uploadAcknowledged: 1,
    });
    expect(realm.objectForPrimaryKey<Obj>("Car", "c1")?.price).toBe(1);
    realm.close();
    const upgraded = new Database(file, { readonly: true });
    expect(upgraded.prepare("SELECT value FROM meta WHERE key = 'format_version'").get()).toEqual({
      value: "3",
    });
    upgraded.close();
  });

  it("upgrades a format 2 file: its pending changesets are based on the cursor it had", () => {
    const file = path();
    const raw = new Database(file);
    raw.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE objects (key INTEGER PRIMARY KEY, class TEXT NOT NULL, owner INTEGER NOT NULL, data BLOB NOT NULL);
      CREATE TABLE upload_log (version INTEGER PRIMARY KEY AUTOINCREMENT, created_at INTEGER NOT NULL, changeset BLOB NOT NULL, undo BLOB);
      INSERT INTO meta VALUES ('format_version', '2');
      INSERT INTO meta VALUES ('sync', '{"download":{"serverVersion":4,"lastIntegratedClientVersion":0}}');
      INSERT INTO upload_log (created_at, changeset) VALUES (1, x'');
    `);
    raw.close();
    const store = new SqliteStore(file);
    expect(store.readUploadLog().map((entry) => entry.baseServerVersion)).toEqual([4]);
    store.close();
  });

  it("keeps ingested objects in the upload log only, across reopening, until acknowledged", () => {
    const file = path();
    let realm = open(config(file));
    const _id = new ObjectId();
    realm.write(() => realm.ingest("Reading", { _id, value: 2 }));
    realm.close();
    const store = new SqliteStore(file);
    expect(store.loadObjects()).toEqual([]);
    expect(store.readUploadLog()).toHaveLength(1);
    store.close();
    realm = open(config(file));
    expect(realm.isEmpty).toBe(false);
    const state = localSyncStateFor(databaseOf(realm));
    expect(decodeChangeset(state.pendingUploads()[0]!.changeset)).toEqual([
      { type: "CreateObject", table: "Reading", pk: _id },
      { type: "Update", table: "Reading", pk: _id, path: ["value"], value: 2 },
    ]);
    state.integrate({ changesets: [], uploadAcknowledged: 1 });
    expect(realm.isEmpty).toBe(true);
    realm.close();
    expect(open(config(file)).isEmpty).toBe(true);
  });

  it("keeps no row of an ingested object's embedded objects either", () => {
    const file = path();
    const schema: ObjectSchema[] = [
      {
        name: "Event",
        asymmetric: true,
        primaryKey: "_id",
        properties: { _id: "objectId", detail: "Detail?", more: "Detail[]" },
      },
      { name: "Detail", embedded: true, properties: { note: "string" } },
      { name: "Person", primaryKey: "name", properties: { name: "string" } },
    ];
    const realm = open({ path: file, schema, sync: { flexible: true as const } });
    const _id = new ObjectId();
    realm.write(() => {
      realm.create("Person", { name: "ann" });
      realm.ingest("Event", { _id, detail: { note: "a" }, more: [{ note: "b" }, { note: "c" }] });
    });
    expect([...databaseOf(realm).rowsByKey.values()].map((row) => row.cls.name)).toEqual([
      "Person",
    ]);
    const uploaded = decodeChangeset(
      localSyncStateFor(databaseOf(realm)).pendingUploads()[0]!.changeset,
    );
    const notes = uploaded.flatMap((i) =>
      "value" in i && typeof i.value === "string" ? [i.value] : [],
    );
    expect(notes).toEqual(expect.arrayContaining(["a", "b", "c"]));
    realm.close();
    const store = new SqliteStore(file);
    expect([...store.loadObjects()].map((object) => object.className)).toEqual(["Person"]);
    store.close();
  });

  it("drops the ingested objects a file of an earlier version kept as objects", () => {
    const file = path();
    open(config(file)).close();
    const store = new SqliteStore(file);
    store.commit({
      upserts: [
        {
          key: 7,
          className: "Reading",
          owner: 0,
          data: encodeValues({ _id: new ObjectId(), value: 1 }),
        },
        { key: 8, className: "Person", owner: 0, data: encodeValues({ name: "ann", age: null }) },
      ],
      deletes: [],
    });
    store.close();
    const readOnly = open({ ...config(file), readOnly: true });
    expect(databaseOf(readOnly).classes.get("Reading")?.rows.size).toBe(0);
    readOnly.close();
    const realm = open(config(file));
    expect(databaseOf(realm).classes.get("Reading")?.rows.size).toBe(0);
    expect(realm.objectForPrimaryKey<Obj>("Person", "ann")?.name).toBe("ann");
    realm.close();
    const after = new SqliteStore(file);
    expect([...after.loadObjects()].map((object) => object.className)).toEqual(["Person"]);
    after.close();
  });

  it("keeps all or nothing of a download when the process is killed while integrating", async () => {
    const file = path();
    await runUntilKilled(file);
    const realm = open(config(file));
    const state = localSyncStateFor(databaseOf(realm));
    const integrated = state.metadata().download.serverVersion;
    expect(integrated).toBeGreaterThanOrEqual(3);
    const perBatch = new Map<number, number>();
    for (const car of realm.objects<Obj>("Car"))
      perBatch.set(car.miles, (perBatch.get(car.miles) ?? 0) + 1);
    expect([...perBatch.keys()].sort((a, b) => a - b)).toEqual(
      Array.from({ length: integrated }, (_, i) => i + 1),
    );
    for (const count of perBatch.values()) expect(count).toBe(2000);
  });
});
