import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import Realm, { ClientErrorCode, RealmError } from "./index.js";
import type { RealmObject } from "./objects/RealmObject.js";
import { useRealms, useTempDir } from "./test-support/realms.js";
import { allTypesSchema } from "./test-support/schemas.js";
import { Decimal128 } from "bson";

type Obj = RealmObject & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- dynamic schema in tests

const child = fileURLToPath(new URL("./test-support/crashChild.ts", import.meta.url));

/** Starts the crash child and SIGKILLs it once it prints `signal`, after running `whileAlive`. */
function runAndKill(
  path: string,
  mode: string,
  signal: string,
  whileAlive: () => void = () => undefined,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      ["--conditions=@atoll/source", "--import", "tsx", child, path, mode],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    proc.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    proc.stdout.on("data", (chunk: Buffer) => {
      if (!chunk.toString().includes(signal)) return;
      try {
        whileAlive();
      } finally {
        proc.kill("SIGKILL");
      }
    });
    proc.on("exit", (_code, sig) =>
      sig === "SIGKILL"
        ? resolve()
        : reject(new Error(`child exited without being killed: ${stderr}`)),
    );
  });
}

describe("persistence", () => {
  const path = useTempDir();
  const open = useRealms();

  it("keeps every committed value across close and reopen", () => {
    const file = path();
    const realm = open({ path: file, schema: allTypesSchema });
    realm.write(() => {
      realm.create("AllTypes", {
        _id: 1,
        bool: true,
        int: 2 ** 40,
        float: 0.5,
        double: -1e300,
        decimal: Decimal128.fromString("1E-10"),
        string: "ünïcødé",
        data: new Uint8Array([0, 255]),
        date: new Date(1e12),
        objectId: new Realm.BSON.ObjectId("65a1b2c3d4e5f60718293a4b"),
        uuid: new Realm.BSON.UUID("0936f9e0-5fcf-4839-804c-d9a0730e656f"),
        mixed: new Date(5),
        link: { name: "pen" },
        list: [1, 2],
        linkList: [{ name: "cup" }],
        set: ["s"],
        dictionary: { k: 1 },
        embedded: { note: "e" },
        embeddedList: [{ note: "l1" }],
      });
    });
    realm.close();
    const again = open({ path: file, schema: allTypesSchema });
    const obj = again.objectForPrimaryKey<Obj>("AllTypes", 1) as Obj;
    expect(obj.int).toBe(2 ** 40);
    expect(obj.double).toBe(-1e300);
    expect(obj.decimal.toString()).toBe("1E-10");
    expect(obj.string).toBe("ünïcødé");
    expect([...new Uint8Array(obj.data as ArrayBuffer)]).toEqual([0, 255]);
    expect(obj.date.getTime()).toBe(1e12);
    expect(obj.objectId.toHexString()).toBe("65a1b2c3d4e5f60718293a4b");
    expect(obj.uuid.toString()).toBe("0936f9e0-5fcf-4839-804c-d9a0730e656f");
    expect(obj.mixed).toEqual(new Date(5));
    expect(obj.link.name).toBe("pen");
    expect([...obj.list]).toEqual([1, 2]);
    expect(obj.linkList[0].name).toBe("cup");
    expect([...obj.set]).toEqual(["s"]);
    expect(obj.dictionary.k).toBe(1);
    expect(obj.embedded.note).toBe("e");
    expect(obj.embeddedList[0].note).toBe("l1");
    expect(again.objectForPrimaryKey<Obj>("Item", "cup")?.owners.length).toBe(1);
    expect(Realm.schemaVersion(file)).toBe(0);
  });

  it("opens without a schema using the stored one, and deleteFile removes the file", () => {
    const file = path();
    open({ path: file, schema: allTypesSchema, schemaVersion: 3 }).close();
    const dynamic = open({ path: file });
    expect(dynamic.schema.map((s) => s.name).sort()).toEqual(["AllTypes", "Detail", "Item"]);
    expect(() => Realm.deleteFile({ path: file })).toThrow(/while it is open/);
    dynamic.close();
    expect(Realm.exists({ path: file })).toBe(true);
    Realm.deleteFile({ path: file });
    expect(Realm.exists({ path: file })).toBe(false);
  });

  it("keeps in-memory realms out of the file system and shares them by path while open", () => {
    const a = open({ inMemory: true, path: "shared-memory", schema: allTypesSchema });
    const b = open({ inMemory: true, path: "shared-memory", schema: allTypesSchema });
    a.write(() => a.create("Item", { name: "x" }));
    expect(b.objects("Item").length).toBe(1);
    expect(Realm.exists({ path: "shared-memory" })).toBe(false);
  });

  it("leaves no trace of a transaction open when the process is killed", async () => {
    const file = path();
    await runAndKill(file, "open-transaction", "in-transaction");
    const realm = open({
      path: file,
      schema: [
        { name: "Row", primaryKey: "id", properties: { id: "int", batch: "int", text: "string" } },
      ],
    });
    expect(realm.objects<Obj>("Row").map((r) => r.text)).toEqual(["committed"]);
  });

  it("holds exactly the committed transactions after a kill -9 during a stream of commits", async () => {
    const file = path();
    await runAndKill(file, "commit-loop", "committing");
    const realm = open({
      path: file,
      schema: [
        { name: "Row", primaryKey: "id", properties: { id: "int", batch: "int", text: "string" } },
      ],
    });
    const rows = realm.objects<Obj>("Row");
    const perBatch = new Map<number, number>();
    for (const row of rows) perBatch.set(row.batch, (perBatch.get(row.batch) ?? 0) + 1);
    expect(perBatch.size).toBeGreaterThanOrEqual(3);
    for (const [batch, count] of perBatch) expect(count, `batch ${batch}`).toBe(200);
    const batches = [...perBatch.keys()].sort((x, y) => x - y);
    expect(batches).toEqual(batches.map((_, i) => i + 1));
  });

  it("refuses to open a realm file another process has open", async () => {
    const file = path();
    let error: unknown;
    await runAndKill(file, "open-transaction", "in-transaction", () => {
      try {
        new Realm({
          path: file,
          schema: [
            {
              name: "Row",
              primaryKey: "id",
              properties: { id: "int", batch: "int", text: "string" },
            },
          ],
        });
      } catch (caught) {
        error = caught;
      }
    });
    expect(error).toBeInstanceOf(RealmError);
    expect((error as RealmError).code).toBe(ClientErrorCode.RealmFileInUse);
    expect((error as RealmError).message).toMatch(/another process has it open/);
  });
});
