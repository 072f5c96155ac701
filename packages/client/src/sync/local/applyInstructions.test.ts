import { Binary, ObjectId } from "bson";
import { describe, expect, it } from "vitest";
import type { Realm } from "../../Realm.js";
import type { RealmObject } from "../../objects/RealmObject.js";
import { flushListeners, useRealms, useTempDir } from "../../test-support/realms.js";
import { BadChangesetError } from "./BadChangesetError.js";
import { localSyncStateFor } from "./LocalSyncState.js";
import { databaseOf, fromServer, long, on, syncSchema } from "./testSupport.js";
import type { Instruction } from "@atoll/protocol";

type Obj = RealmObject & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- dynamic schema in tests

describe("applying server changesets", () => {
  const path = useTempDir();
  const open = useRealms();

  function synced(): Realm {
    return open({ path: path(), schema: syncSchema, sync: { flexible: true } });
  }
  /** Applies server changesets after every local write so far (all acknowledged). */
  function download(realm: Realm, ...changesets: Instruction[][]): void {
    const state = localSyncStateFor(databaseOf(realm));
    const acknowledged = state.lastClientVersion();
    state.integrate({
      changesets: changesets.map((instructions) => fromServer(instructions, acknowledged)),
      uploadAcknowledged: acknowledged,
    });
  }
  const car = on("Car", "c1");

  it("creates objects with fields, links by primary key, embedded objects and collections", async () => {
    const realm = synced();
    const inserted: number[][] = [];
    realm.objects("Car").addListener((_c, changes) => inserted.push(changes.insertions));
    await flushListeners();
    const when = new Date(1_700_000_000_000);
    download(realm, [
      car.create(),
      car.create(),
      car.set(["model"], "T"),
      car.set(["miles"], long(7)),
      car.set(["price"], 1.5),
      car.set(["made"], when),
      car.set(["blob"], new Binary(new Uint8Array([1, 2]))),
      car.set(["any"], long(3)),
      car.set(["owner"], { $link: { table: "Person", pk: "ann" } }),
      on("Person", "ann").create(),
      car.insert(["riders", 0], { $link: { table: "Person", pk: "ann" } }),
      car.insert(["riders", 1], { $link: { table: "Person", pk: "nobody" } }),
      car.insert(["tags", 0], "a"),
      car.insert(["tags", 1], "b"),
      car.setInsert(["features"], "x"),
      car.set(["extras", "k"], 2.5),
      car.set(["engine"], { $object: true }),
      car.set(["engine", "hp"], long(100)),
      car.insert(["engine", "parts", 0], { $object: true }),
      car.set(["engine", "parts", 0, "size"], 3),
      on("Unknown", "x").create(),
    ]);
    const c = realm.objectForPrimaryKey<Obj>("Car", "c1");
    expect(c?.toJSON()).toMatchObject({
      _id: "c1",
      model: "T",
      miles: 7,
      price: 1.5,
      any: 3,
      owner: { name: "ann" },
      riders: [{ name: "ann" }],
      tags: ["a", "b"],
      extras: { k: 2.5 },
      engine: { hp: 100, parts: [{ size: 3 }] },
    });
    expect(c?.made).toEqual(when);
    expect(new Uint8Array(c?.blob as ArrayBuffer)).toEqual(new Uint8Array([1, 2]));
    expect([...(c?.features as Iterable<string>)]).toEqual(["x"]);
    await flushListeners();
    expect(inserted).toEqual([[], [0]]);
    expect(localSyncStateFor(databaseOf(realm)).pendingUploads()).toEqual([]);
  });

  it("updates, adds, moves, erases and clears, and listeners see the modifications", async () => {
    const realm = synced();
    realm.write(() =>
      realm.create("Car", {
        _id: "c1",
        model: "T",
        visits: 1,
        tags: ["a", "b", "c"],
        features: ["x"],
        extras: { k: 1, j: 2 },
        wheels: [{ size: 1 }, { size: 2 }],
      }),
    );
    const c = realm.objectForPrimaryKey<Obj>("Car", "c1") as Obj;
    const changed: string[][] = [];
    c.addListener((_o, changes) => changed.push(changes.changedProperties));
    await flushListeners();
    download(realm, [
      car.add(["visits"], 5),
      car.add(["miles"], -2),
      car.set(["tags", 0], "A"),
      car.move(["tags", 0], 2),
      car.arrayErase(["tags", 0]),
      car.setInsert(["features"], "y"),
      car.setErase(["features"], "x"),
      car.eraseKey(["extras", "k"]),
      car.set(["wheels", 1, "size"], 9),
      car.arrayErase(["wheels", 0]),
    ]);
    expect(c.visits.value).toBe(6);
    expect(c.miles).toBe(-2);
    expect([...c.tags]).toEqual(["c", "A"]);
    expect([...c.features]).toEqual(["y"]);
    expect(c.extras.toJSON()).toEqual({ j: 2 });
    expect(c.wheels.map((w: Obj) => w.size)).toEqual([9]);
    download(realm, [car.clear(["tags"], "list"), car.clear(["extras"], "dictionary")]);
    expect([...c.tags]).toEqual([]);
    await flushListeners();
    expect(changed.map((names) => names.sort())).toEqual([
      ["extras", "features", "miles", "tags", "visits", "wheels"],
      ["extras", "tags"],
    ]);
  });

  it("erases objects with their embedded objects and clears links to them", async () => {
    const realm = synced();
    realm.write(() => {
      const ann = realm.create("Person", { name: "ann" });
      realm.create("Car", { _id: "c1", model: "T", owner: ann, riders: [ann], engine: { hp: 1 } });
      realm.create("Car", { _id: "c2", model: "S", owner: ann });
    });
    const c2 = realm.objectForPrimaryKey<Obj>("Car", "c2") as Obj;
    const events: unknown[] = [];
    c2.addListener((_o, changes) => events.push(changes));
    await flushListeners();
    download(realm, [car.erase(), on("Person", "ann").erase(), on("Person", "zed").erase()]);
    expect(realm.objects("Car").map((c) => (c as Obj)._id)).toEqual(["c2"]);
    expect(realm.objects("Engine").length).toBe(0);
    expect(c2.owner).toBeNull();
    await flushListeners();
    expect(events).toEqual([{ deleted: false, changedProperties: ["owner"] }]);
  });

  it("builds and edits lists and dictionaries nested in a mixed value; listeners of the nested list see where", async () => {
    const realm = synced();
    download(realm, [
      car.create(),
      car.set(["any"], { $dictionary: true }),
      car.set(["any", "l"], { $list: true }),
      car.insert(["any", "l", 0], "a"),
      car.insert(["any", "l", 1], { $dictionary: true }, 1),
      car.set(["any", "l", 1, "k"], long(1)),
    ]);
    const c = realm.objectForPrimaryKey<Obj>("Car", "c1")!;
    expect(c.toJSON().any).toEqual({ l: ["a", { k: 1 }] });
    const nested: { insertions: number[]; deletions: number[] }[] = [];
    c.any.l.addListener((_list: unknown, change: { insertions: number[]; deletions: number[] }) =>
      nested.push({ insertions: change.insertions, deletions: change.deletions }),
    );
    const properties: string[][] = [];
    c.addListener((_object, change) => properties.push(change.changedProperties));
    await flushListeners();
    download(realm, [car.insert(["any", "l", 0], "first", 2)]);
    await flushListeners();
    expect(nested.at(-1)).toEqual({ insertions: [0], deletions: [] });
    download(realm, [
      car.set(["any", "l", 2, "k"], "changed"),
      car.set(["any", "d"], { $list: true }),
      car.insert(["any", "d", 0], true, 0),
    ]);
    await flushListeners();
    expect(c.toJSON().any).toEqual({ l: ["first", "a", { k: "changed" }], d: [true] });
    expect(properties.at(-1)).toEqual(["any"]);
    download(realm, [car.arrayErase(["any", "l", 1], 3), car.eraseKey(["any", "d"])]);
    expect(c.toJSON().any).toEqual({ l: ["first", { k: "changed" }] });
    download(realm, [
      car.insert(["any", "l", 0], { $list: true }, 2),
      car.insert(["any", "l", 0, 0], 1),
    ]);
    download(realm, [car.clear(["any", "l", 0], "list")]);
    expect(c.toJSON().any).toEqual({ l: [[], "first", { k: "changed" }] });
    download(realm, [car.clear(["any", "l"], "list")]);
    expect(c.toJSON().any).toEqual({ l: [] });
    download(realm, [car.clear(["any"], "dictionary")]);
    expect(c.toJSON().any).toEqual({});
    download(realm, [car.set(["any"], "flat")]);
    expect(c.any).toBe("flat");
  });

  it("refuses a bad changeset with code 212, naming table, pk and path, and changes nothing", () => {
    const realm = synced();
    realm.write(() => realm.create("Car", { _id: "c1", model: "T", tags: ["a"] }));
    const bad: Instruction[][] = [
      [car.set(["model"], long(1))],
      [car.set(["nope"], "x")],
      [car.set(["tags", 5], "x")],
      [car.set(["engine", "hp"], long(1))],
      [car.set(["owner"], { $link: { table: "Car", pk: "c1" } })],
      [on("Car", new ObjectId()).create()],
      [car.set(["model"], null)],
      [car.set(["model"], { $list: true })],
      [car.insert(["tags", 0], { $dictionary: true })],
      [car.set(["any", "k"], "x")],
      [car.set(["tags", 0, "k"], "x")],
    ];
    for (const instructions of bad) {
      let thrown: unknown;
      try {
        download(realm, [car.set(["model"], "changed"), on("Car", "c9").create()], instructions);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(BadChangesetError);
      expect((thrown as BadChangesetError).code).toBe(212);
      expect((thrown as Error).message).toMatch(/Car\[/);
      expect(realm.objectForPrimaryKey<Obj>("Car", "c1")?.model).toBe("T");
      expect(realm.objectForPrimaryKey("Car", "c9")).toBeNull();
    }
    expect(
      (() => {
        try {
          download(realm, [car.set(["tags", 5], "x")]);
        } catch (error) {
          return (error as Error).message;
        }
        return "";
      })(),
    ).toBe(
      'Bad changeset: cannot apply Update to Car["c1"].tags.5: index 5 is out of range (size 1)',
    );
  });
});

describe("listeners on downloaded changes", () => {
  const path = useTempDir();
  const open = useRealms();
  const car = on("Car", "c1");

  /** A realm with Car c1 (acknowledged) and listeners on its list, dictionary, results and realm. */
  async function observed(): Promise<{ realm: Realm; c: Obj; events: unknown[] }> {
    const realm = open({ path: path(), schema: syncSchema, sync: { flexible: true } });
    const c = realm.write(() =>
      realm.create<Obj>("Car", { _id: "c1", model: "T", tags: ["a", "b", "c"], extras: { k: 1 } }),
    );
    localSyncStateFor(databaseOf(realm)).integrate({ changesets: [], uploadAcknowledged: 1 });
    const events: unknown[] = [];
    c.tags.addListener((_l: unknown, changes: unknown) => events.push({ list: changes }));
    c.extras.addListener((_d: unknown, changes: unknown) => events.push({ dictionary: changes }));
    c.addListener((_o: unknown, changes: { changedProperties: string[] }) =>
      events.push({ object: { ...changes, changedProperties: changes.changedProperties.sort() } }),
    );
    realm.objects("Car").addListener((_r, changes) => events.push({ results: changes }));
    realm.addListener("change", () => events.push("realm"));
    await flushListeners();
    events.length = 0;
    return { realm, c, events };
  }

  it("tell listeners what the same local write would, once per download, and nothing for an acknowledgement", async () => {
    const local = await observed();
    local.realm.write(() => {
      local.c.tags.remove(0);
      local.c.tags.push("d");
      local.c.tags[0] = "B";
      local.c.extras.k = 2;
      local.c.extras.n = 3;
      local.c.model = "S";
      local.realm.create("Car", { _id: "c2", model: "new" });
    });
    const downloaded = await observed();
    const state = localSyncStateFor(databaseOf(downloaded.realm));
    state.integrate({
      changesets: [
        fromServer(
          [
            car.arrayErase(["tags", 0], 3),
            car.insert(["tags", 2], "d", 2),
            car.set(["tags", 0], "B"),
            car.set(["extras", "k"], 2),
            car.set(["extras", "n"], 3),
            car.set(["model"], "S"),
            on("Car", "c2").create(),
            on("Car", "c2").set(["model"], "new"),
          ],
          1,
        ),
      ],
      uploadAcknowledged: 1,
    });
    state.integrate({ changesets: [], uploadAcknowledged: 1 });
    await flushListeners();
    expect([...downloaded.c.tags]).toEqual(["B", "c", "d"]);
    expect(downloaded.events).toEqual(local.events);
    expect(downloaded.events).toContain("realm");
    expect(downloaded.events.filter((e) => e === "realm")).toHaveLength(1);
  });
});
