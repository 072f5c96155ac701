import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { openStorage } from "./openStorage.js";
import { describeStorageContract } from "./test-support/describeStorageContract.js";
import { PostgresSchemas, postgresUrl } from "./test-support/postgresSchemas.js";

const schemas = new PostgresSchemas();
afterAll(() => schemas.dropAll());

describeStorageContract("postgres", (key) => openStorage(schemas.spec(key)));

describe("openStorage on PostgreSQL", () => {
  it("accepts postgresql:// and keeps the store in the schema the spec names", async () => {
    const spec = schemas.spec("named").replace(/^postgres:/, "postgresql:");
    const engine = await openStorage(spec);
    await engine.commit([{ kind: "insert", ns: { db: "d", coll: "c" }, doc: { _id: 1, a: "x" } }]);
    await engine.close();
    const client = new pg.Client({ connectionString: postgresUrl() });
    await client.connect();
    try {
      const { rows } = await client.query<{ body: string; fields: unknown }>(
        `SELECT body, fields FROM "${schemas.name("named")}".documents`,
      );
      expect(rows).toEqual([{ body: '{"_id":1,"a":"x"}', fields: { _id: 1, a: "x" } }]);
    } finally {
      await client.end();
    }
  });

  it("migrates once when several nodes open a new store at the same moment", async () => {
    const spec = schemas.spec("together");
    const engines = await Promise.all([1, 2, 3, 4].map(() => openStorage(spec)));
    await engines[0]!.commit([{ kind: "insert", ns: { db: "d", coll: "c" }, doc: { _id: 1 } }]);
    expect((await engines[3]!.get({ db: "d", coll: "c" }, 1))?.doc).toEqual({ _id: 1 });
    await Promise.all(engines.map((engine) => engine.close()));
  });

  it("never repeats the password when it cannot connect", async () => {
    const url = new URL(postgresUrl());
    url.password = "s3cret-Word";
    url.searchParams.set("schema", schemas.name("denied"));
    const failure = await openStorage(url.toString()).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure).toMatchObject({ code: "BadSpec" });
    expect(failure?.message).not.toContain("s3cret-Word");
    expect(failure?.message).toContain(url.hostname);
    const badUrl = await openStorage("postgres://u:s3cret-Word@[bad").then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(badUrl).toMatchObject({ code: "BadSpec" });
    expect(badUrl?.message).not.toContain("s3cret-Word");
  });

  it("stores and reads back a string with a NUL character (no jsonb copy for it)", async () => {
    const engine = await openStorage(schemas.spec());
    const ns = { db: "d", coll: "c" };
    await engine.commit([{ kind: "insert", ns, doc: { _id: "n", text: "a\u0000b" } }]);
    expect((await engine.get(ns, "n"))?.doc).toEqual({ _id: "n", text: "a\u0000b" });
    expect((await engine.scan(ns, { filter: { text: "zzz" } })).map((s) => s.doc._id)).toEqual([
      "n",
    ]);
    await engine.close();
  });
});
