import type { Instruction } from "@atoll/protocol";
import { Long, ObjectId } from "bson";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStorage } from "../../storage/openStorage.js";
import type { StorageEngine } from "../../storage/StorageEngine.js";
import { CARS_NAMESPACE, carModel } from "../test-support/carsFixture.js";
import { SyncHistory } from "./SyncHistory.js";

const model = carModel;
const ns = CARS_NAMESPACE;

describe("sync history over storage", () => {
  let storage: StorageEngine;
  let history: SyncHistory;
  const pk = new ObjectId();
  const create: Instruction[] = [
    { type: "CreateObject", table: "Car", pk },
    { type: "Update", table: "Car", pk, path: ["make"], value: "Toyota" },
    { type: "Update", table: "Car", pk, path: ["miles"], value: Long.fromNumber(2) },
  ];
  const setMiles = (miles: number): Instruction => ({
    type: "Update",
    table: "Car",
    pk,
    path: ["miles"],
    value: Long.fromNumber(miles),
  });

  beforeEach(async () => {
    storage = await openStorage("memory");
    history = new SyncHistory(storage, model);
  });
  afterEach(async () => storage.close());

  it("allocates distinct file identities from 2 up, each with a salt", async () => {
    const a = await history.allocateFileIdent("ann");
    const b = await history.allocateFileIdent("bob", 1_000);
    expect([a.ident, b.ident]).toEqual([2, 3]);
    expect(a.salt).toBeGreaterThan(0);
    expect(await history.clientFile(b.ident)).toEqual({
      ident: b.ident,
      salt: b.salt,
      userId: "bob",
      integratedClientVersion: 0,
      lastSeen: 1_000,
    });
  });

  it("numbers integrated changesets, writes the app documents, and feeds the change feed", async () => {
    const { ident } = await history.allocateFileIdent("ann");
    const first = await history.integrate(ident, {
      clientVersion: 1,
      writer: { ts: 10, ident, baseVersion: 0 },
      instructions: create,
    });
    expect(first.version).toBe(1);
    expect((await storage.get(ns, pk))?.doc).toEqual({ _id: pk, make: "Toyota", miles: 2 });
    const entries = await history.entriesSince(0);
    expect(entries.map((e) => [e.version, e.originIdent, e.instructions.length])).toEqual([
      [1, ident, 3],
    ]);
    const changes = await storage.changesSince(0);
    expect(changes.map((c) => [c.operationType, c.ns.coll, c.origin])).toEqual([
      ["insert", "Car", "sync"],
    ]);
  });

  it("recognises a re-upload after a reconnect and does not apply it twice", async () => {
    const { ident } = await history.allocateFileIdent("ann");
    await history.integrate(ident, {
      clientVersion: 1,
      writer: { ts: 10, ident, baseVersion: 0 },
      instructions: create,
    });
    const again = await history.integrate(ident, {
      clientVersion: 1,
      writer: { ts: 10, ident, baseVersion: 0 },
      instructions: create,
    });
    expect(again.version).toBeUndefined();
    expect(await history.latestVersion()).toBe(1);
  });

  it("resolves concurrent writes by last writer, and concurrent integrations never share a version", async () => {
    const ann = (await history.allocateFileIdent("ann")).ident;
    const bob = (await history.allocateFileIdent("bob")).ident;
    await history.integrate(ann, {
      clientVersion: 1,
      writer: { ts: 10, ident: ann, baseVersion: 0 },
      instructions: create,
    });
    // both saw version 1; bob's write is newer, but arrives first
    const results = await Promise.all([
      history.integrate(bob, {
        clientVersion: 1,
        writer: { ts: 30, ident: bob, baseVersion: 1 },
        instructions: [setMiles(300)],
      }),
      history.integrate(ann, {
        clientVersion: 2,
        writer: { ts: 20, ident: ann, baseVersion: 1 },
        instructions: [setMiles(200)],
      }),
    ]);
    expect(results.map((r) => r.version).sort()).toEqual([2, 3]);
    expect((await storage.get(ns, pk))?.doc.miles).toBe(300);
    expect(await history.latestVersion()).toBe(3);
  });
});
