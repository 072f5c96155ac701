import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStorage } from "./openStorage.js";
import { describeStorageContract } from "./test-support/describeStorageContract.js";

const dir = mkdtempSync(join(tmpdir(), "atoll-storage-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
describeStorageContract("sqlite file", (key) =>
  openStorage(`sqlite:${join(dir, `${key ?? `fresh-${counter++}`}.db`)}`),
);
describeStorageContract("memory", () => openStorage("memory"), false);

describe("openStorage", () => {
  it("rejects specs it does not understand with BadSpec", async () => {
    await expect(openStorage("mongodb://x")).rejects.toMatchObject({ code: "BadSpec" });
    await expect(openStorage("sqlite:")).rejects.toMatchObject({ code: "BadSpec" });
  });

  it("creates the directory of a new SQLite file", async () => {
    const engine = await openStorage(`sqlite:${join(dir, "nested", "deeper", "app.db")}`);
    await engine.commit([{ kind: "insert", ns: { db: "d", coll: "c" }, doc: { _id: 1 } }]);
    expect((await engine.get({ db: "d", coll: "c" }, 1))?.doc).toEqual({ _id: 1 });
    await engine.close();
  });

  it("creates a new store, its WAL files and its directories readable by their owner only", async () => {
    const top = join(dir, "private");
    const file = join(top, "inner", "app.db");
    const engine = await openStorage(`sqlite:${file}`);
    await engine.commit([{ kind: "insert", ns: { db: "d", coll: "c" }, doc: { _id: 1 } }]);
    const mode = (path: string) => statSync(path).mode & 0o777;
    expect([mode(top), mode(join(top, "inner"))]).toEqual([0o700, 0o700]);
    for (const path of [file, `${file}-wal`, `${file}-shm`]) {
      expect(existsSync(path)).toBe(true);
      expect(mode(path)).toBe(0o600);
    }
    await engine.close();
  });

  it("refuses a store written by a newer schema version", async () => {
    const file = join(dir, "future.db");
    const engine = await openStorage(`sqlite:${file}`);
    await engine.close();
    const { default: Database } = await import("better-sqlite3");
    const raw = new Database(file);
    raw.prepare("UPDATE atoll_meta SET value = '999' WHERE key = 'schema_version'").run();
    raw.close();
    await expect(openStorage(`sqlite:${file}`)).rejects.toMatchObject({ code: "Corrupt" });
  });
});
