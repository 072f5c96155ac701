import { ObjectId } from "bson";
import { describe, expect, it } from "vitest";
import { decodeChangeset } from "@atoll/protocol";
import type { Instruction } from "@atoll/protocol";
import type { Realm } from "../../Realm.js";
import type { RealmObject } from "../../objects/RealmObject.js";
import { flushListeners, useRealms, useTempDir } from "../../test-support/realms.js";
import { BadChangesetError } from "./BadChangesetError.js";
import { localSyncStateFor } from "./LocalSyncState.js";
import type { LocalSyncState } from "./LocalSyncState.js";
import { databaseOf, fromServer, long, on, syncSchema } from "./testSupport.js";

type Obj = RealmObject & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- dynamic schema in tests

describe("rebasing pending local changesets over downloads", () => {
  const path = useTempDir();
  const open = useRealms();
  const car = on("Car", "c1");

  function synced(): { realm: Realm; state: LocalSyncState } {
    const realm = open({ path: path(), schema: syncSchema, sync: { flexible: true } });
    return { realm, state: localSyncStateFor(databaseOf(realm)) };
  }

  /** A realm holding Car c1 (tags a, b), created locally and acknowledged. */
  function withCar(): { realm: Realm; state: LocalSyncState; c: Obj } {
    const { realm, state } = synced();
    const c = realm.write(() =>
      realm.create<Obj>("Car", { _id: "c1", model: "T", tags: ["a", "b"] }),
    );
    state.integrate({ changesets: [], uploadAcknowledged: 1 });
    return { realm, state, c };
  }

  const serverSays = (state: LocalSyncState, instructions: Instruction[], acked = 1): void =>
    state.integrate({ changesets: [fromServer(instructions, acked)], uploadAcknowledged: acked });

  it("keeps a pending local value over the server's until the server acknowledges it", () => {
    const { realm, state, c } = withCar();
    realm.write(() => (c.model = "local"));
    serverSays(state, [car.set(["model"], "server"), car.set(["price"], 2)]);
    expect(c.model).toBe("local");
    expect(c.price).toBe(2);
    expect(state.pendingUploads().map((p) => p.clientVersion)).toEqual([2]);
    state.integrate({ changesets: [], uploadAcknowledged: 2 });
    expect(state.pendingUploads()).toEqual([]);
    expect(c.model).toBe("local");
    serverSays(state, [car.set(["model"], "later")], 2);
    expect(c.model).toBe("later");
  });

  it("places acknowledged local changesets before the server changesets that integrated them", () => {
    const { realm, state, c } = withCar();
    realm.write(() => (c.model = "mine"));
    realm.write(() => (c.price = 7));
    // The server integrated our version 2, then someone else set the model; version 3 is still pending.
    serverSays(state, [car.set(["model"], "theirs"), car.set(["price"], 1)], 2);
    expect(c.model).toBe("theirs");
    expect(c.price).toBe(7);
    expect(state.pendingUploads().map((p) => p.clientVersion)).toEqual([3]);
  });

  it("skips pending instructions on an object the server erased", async () => {
    const { realm, state, c } = withCar();
    const deleted: boolean[] = [];
    c.addListener((_o, changes) => deleted.push(changes.deleted));
    await flushListeners();
    realm.write(() => {
      c.model = "edited";
      c.tags.push("c");
    });
    serverSays(state, [car.erase()]);
    expect(realm.objectForPrimaryKey("Car", "c1")).toBeNull();
    expect(state.pendingUploads().map((p) => p.clientVersion)).toEqual([2]);
    await flushListeners();
    expect(deleted).toEqual([false, true]);
    state.integrate({ changesets: [], uploadAcknowledged: 2 });
    expect(realm.objectForPrimaryKey("Car", "c1")).toBeNull();
    expect(state.pendingUploads()).toEqual([]);
  });

  it("keeps list inserts from both sides, clamping local indices that no longer exist", () => {
    const { realm, state, c } = withCar();
    realm.write(() => {
      c.tags.push("local-end");
      c.tags.unshift("local-start");
    });
    serverSays(state, [
      car.insert(["tags", 0], "server"),
      car.arrayErase(["tags", 2], 3),
      car.arrayErase(["tags", 1], 2),
    ]);
    // Confirmed: [server]; local redo: insert at 2 (clamped to 1), then at 0.
    expect([...c.tags]).toEqual(["local-start", "server", "local-end"]);
  });

  it("keeps live objects of pending creations valid and reports only the net change", async () => {
    const { realm, state } = synced();
    const mine = realm.write(() => realm.create<Obj>("Car", { _id: "mine", model: "M" }));
    const changes: unknown[] = [];
    mine.addListener((_o, change) => changes.push(change));
    const results: unknown[] = [];
    realm.objects("Car").addListener((_c, change) => results.push(change));
    await flushListeners();
    serverSays(state, [on("Car", "mine").create(), on("Car", "mine").set(["price"], 3)], 0);
    expect(mine.isValid()).toBe(true);
    expect(mine.model).toBe("M");
    expect(mine.price).toBe(3);
    await flushListeners();
    expect(changes).toEqual([{ deleted: false, changedProperties: ["price"] }]);
    expect(results.at(-1)).toMatchObject({ insertions: [], deletions: [], newModifications: [0] });
  });

  it("keeps asymmetric objects only in the upload log, until acknowledged", () => {
    const { realm, state } = synced();
    const id = new ObjectId();
    realm.write(() => realm.create("Person", { name: "ann" }));
    realm.write(() => realm.create("Reading", { _id: id, value: 1 }));
    expect(databaseOf(realm).classes.get("Reading")?.rows.size).toBe(0);
    const [, reading] = state.pendingUploads();
    expect(decodeChangeset(reading!.changeset)).toContainEqual({
      type: "CreateObject",
      table: "Reading",
      pk: id,
    });
    // A download naming a pending object: the pending changesets are undone and redone.
    serverSays(state, [on("Person", "ann").set(["age"], long(3))], 1);
    expect(databaseOf(realm).classes.get("Reading")?.rows.size).toBe(0);
    expect(realm.objectForPrimaryKey<{ age: number }>("Person", "ann")?.age).toBe(3);
    expect(state.pendingUploads().map((p) => p.clientVersion)).toEqual([2]);
    expect(realm.isEmpty).toBe(false);
    realm.write(() => realm.delete(realm.objects("Person")));
    expect(realm.isEmpty).toBe(false); // the reading still waits in the upload log
    state.integrate({ changesets: [], uploadAcknowledged: 3 });
    expect(state.pendingUploads()).toEqual([]);
    expect(realm.isEmpty).toBe(true);
  });

  it("tells onLocalCommit listeners each new client version", () => {
    const { realm, state } = synced();
    const versions: number[] = [];
    const stop = state.onLocalCommit((version) => versions.push(version));
    realm.write(() => realm.create("Person", { name: "a" }));
    realm.write(() => undefined);
    realm.write(() => realm.create("Person", { name: "b" }));
    serverSays(state, [on("Person", "c").create()], 0);
    stop();
    realm.write(() => realm.create("Person", { name: "d" }));
    expect(versions).toEqual([1, 2]);
  });

  it("applies a download that arrives during a write transaction right after it ends", async () => {
    const { realm, state, c } = withCar();
    realm.beginTransaction();
    c.model = "in transaction";
    serverSays(state, [car.set(["price"], 5)]);
    serverSays(state, [car.set(["price"], 6)]);
    expect(c.price).toBeNull();
    let idle = false;
    const whenIdle = state.whenIdle().then(() => (idle = true));
    await Promise.resolve();
    expect(c.price).toBeNull();
    expect(idle).toBe(false);
    realm.commitTransaction();
    await whenIdle;
    expect(c.price).toBe(6);
    expect(c.model).toBe("in transaction");
    realm.beginTransaction();
    c.model = "cancelled";
    serverSays(state, [car.set(["price"], 8)]);
    realm.cancelTransaction();
    await Promise.resolve();
    expect(c.price).toBe(8);
    expect(c.model).toBe("in transaction");
  });

  it("reports a bad download that waited for a write transaction to onIntegrateError, and applies the next", async () => {
    const { realm, state, c } = withCar();
    const failures: unknown[] = [];
    state.onIntegrateError((error) => failures.push(error));
    realm.beginTransaction();
    serverSays(state, [car.set(["price"], 1), car.set(["model"], 5)]);
    serverSays(state, [car.set(["price"], 2)]);
    realm.commitTransaction();
    await Promise.resolve();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(BadChangesetError);
    expect((failures[0] as BadChangesetError).code).toBe(212);
    expect(c.price).toBe(2);
    expect(c.model).toBe("T");
  });

  it("drops a download queued behind a transaction when the realm closes instead", async () => {
    const { realm, state } = withCar();
    realm.beginTransaction();
    serverSays(state, [car.set(["price"], 1)]);
    const idle = state.whenIdle();
    realm.close();
    await idle;
    const again = open({ path: realm.path, schema: syncSchema, sync: { flexible: true } });
    expect(again.objectForPrimaryKey<Obj>("Car", "c1")?.price).toBeNull();
  });
});
