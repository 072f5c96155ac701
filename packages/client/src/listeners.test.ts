import { describe, expect, it } from "vitest";
import type { CollectionChangeSet, ObjectSchema } from "./index.js";
import type { RealmObject, ObjectChangeSet } from "./objects/RealmObject.js";
import { flushListeners, useRealms, useTempDir } from "./test-support/realms.js";

type Obj = RealmObject & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- dynamic schema in tests

const schema: ObjectSchema[] = [
  {
    name: "Task",
    primaryKey: "id",
    properties: {
      id: "int",
      title: "string",
      done: "bool",
      tags: "string[]",
      steps: "Step[]",
      extras: "string{}",
    },
  },
  { name: "Step", embedded: true, properties: { text: "string" } },
];

describe("listeners", () => {
  const path = useTempDir();
  const open = useRealms();

  it("reports insertions, deletions and modifications of Results, once per transaction, after commit", async () => {
    const realm = open({ path: path(), schema });
    realm.write(() => {
      for (let id = 1; id <= 4; id++) realm.create("Task", { id, title: `t${id}`, done: false });
    });
    const tasks = realm.objects<Obj>("Task").sorted("id");
    const calls: CollectionChangeSet[] = [];
    tasks.addListener((_collection, changes) => calls.push(changes));
    await flushListeners();
    expect(calls).toEqual([
      { insertions: [], deletions: [], newModifications: [], oldModifications: [] },
    ]);

    realm.write(() => {
      realm.delete(realm.objectForPrimaryKey("Task", 2));
      realm.objectForPrimaryKey<Obj>("Task", 4)!.title = "four";
      realm.create("Task", { id: 0, title: "t0", done: false });
    });
    expect(calls).toHaveLength(1); // asynchronous: nothing yet
    await flushListeners();
    expect(calls[1]).toEqual({
      insertions: [0],
      deletions: [1],
      newModifications: [3],
      oldModifications: [3],
    });

    realm.write(() => realm.create("Task", { id: 9, title: "t9", done: false }));
    realm.write(() => realm.create("Task", { id: 10, title: "t10", done: false }));
    await flushListeners();
    expect(calls.slice(2)).toEqual([
      { insertions: [4], deletions: [], newModifications: [], oldModifications: [] },
      { insertions: [5], deletions: [], newModifications: [], oldModifications: [] },
    ]);
  });

  it("reports objects entering and leaving a filtered query", async () => {
    const realm = open({ path: path(), schema });
    realm.write(() => {
      for (let id = 1; id <= 3; id++) realm.create("Task", { id, title: `t${id}`, done: false });
    });
    const open_ = realm.objects<Obj>("Task").filtered("done == false");
    const calls: CollectionChangeSet[] = [];
    open_.addListener((_c, changes) => calls.push(changes));
    await flushListeners();
    realm.write(() => {
      realm.objectForPrimaryKey<Obj>("Task", 2)!.done = true;
    });
    await flushListeners();
    expect(calls[1]).toEqual({
      insertions: [],
      deletions: [1],
      newModifications: [],
      oldModifications: [],
    });
    expect(open_.map((t) => t.id)).toEqual([1, 3]);
  });

  it("reports object changes with changedProperties, and deletion", async () => {
    const realm = open({ path: path(), schema });
    const task = realm.write(() => realm.create<Obj>("Task", { id: 1, title: "a", done: false }));
    const changes: ObjectChangeSet<Obj>[] = [];
    task.addListener((_obj, change) => changes.push(change));
    realm.write(() => {
      task.title = "b";
      task.done = true;
    });
    realm.write(() => task.steps.push({ text: "first" }));
    realm.write(() => {
      task.steps[0].text = "changed inside the embedded object";
    });
    realm.write(() => realm.create("Task", { id: 2, title: "other", done: false }));
    realm.write(() => realm.delete(task));
    await flushListeners();
    expect(changes).toEqual([
      { deleted: false, changedProperties: ["title", "done"] },
      { deleted: false, changedProperties: ["steps"] },
      { deleted: false, changedProperties: ["steps"] },
      { deleted: true, changedProperties: [] },
    ]);
  });

  it("filters object notifications by key paths", async () => {
    const realm = open({ path: path(), schema });
    const task = realm.write(() => realm.create<Obj>("Task", { id: 1, title: "a", done: false }));
    const changes: string[][] = [];
    task.addListener((_obj, change) => changes.push(change.changedProperties), ["done"]);
    realm.write(() => {
      task.title = "b";
    });
    realm.write(() => {
      task.done = true;
    });
    await flushListeners();
    expect(changes).toEqual([["done"]]);
  });

  it("reports list insertions, deletions and modifications", async () => {
    const realm = open({ path: path(), schema });
    const task = realm.write(() =>
      realm.create<Obj>("Task", { id: 1, title: "a", done: false, tags: ["x", "y", "z"] }),
    );
    const calls: CollectionChangeSet[] = [];
    task.tags.addListener((_list: unknown, changes: CollectionChangeSet) => calls.push(changes));
    await flushListeners();
    realm.write(() => task.tags.push("w"));
    realm.write(() => task.tags.remove(0));
    realm.write(() => {
      task.tags[1] = "Z";
    });
    await flushListeners();
    expect(calls.slice(1)).toEqual([
      { insertions: [3], deletions: [], newModifications: [], oldModifications: [] },
      { insertions: [], deletions: [0], newModifications: [], oldModifications: [] },
      { insertions: [], deletions: [], newModifications: [1], oldModifications: [1] },
    ]);
    expect([...task.tags]).toEqual(["y", "Z", "w"]);
  });

  it("fires realm 'change' listeners once per commit, in registration order, and stops after removal", async () => {
    const realm = open({ path: path(), schema });
    const log: string[] = [];
    const first = (): void => void log.push("first");
    const second = (): void => void log.push("second");
    realm.addListener("change", first);
    realm.addListener("change", second);
    realm.write(() => realm.create("Task", { id: 1, title: "a", done: false }));
    await flushListeners();
    expect(log).toEqual(["first", "second"]);
    realm.removeListener("change", first);
    realm.write(() => realm.create("Task", { id: 2, title: "b", done: false }));
    await flushListeners();
    expect(log).toEqual(["first", "second", "second"]);
    realm.removeAllListeners();
    realm.write(() => realm.create("Task", { id: 3, title: "c", done: false }));
    await flushListeners();
    expect(log).toHaveLength(3);
  });

  it("does not call removed collection or object listeners, nor any listener for a rolled-back write", async () => {
    const realm = open({ path: path(), schema });
    const task = realm.write(() => realm.create<Obj>("Task", { id: 1, title: "a", done: false }));
    const tasks = realm.objects<Obj>("Task");
    let collectionCalls = 0;
    let objectCalls = 0;
    const onTasks = (): void => void collectionCalls++;
    const onTask = (): void => void objectCalls++;
    tasks.addListener(onTasks);
    task.addListener(onTask);
    await flushListeners();
    expect(collectionCalls).toBe(1);
    expect(() =>
      realm.write(() => {
        task.title = "z";
        throw new Error("no");
      }),
    ).toThrow();
    await flushListeners();
    expect(collectionCalls).toBe(1);
    expect(objectCalls).toBe(0);
    tasks.removeListener(onTasks);
    task.removeListener(onTask);
    realm.write(() => {
      task.title = "b";
    });
    await flushListeners();
    expect(collectionCalls).toBe(1);
    expect(objectCalls).toBe(0);
  });

  it("removes a listener registered on one list handle through another handle of the same list", async () => {
    const realm = open({ path: path(), schema });
    const task = realm.write(() => realm.create<Obj>("Task", { id: 1, title: "a", done: false }));
    let calls = 0;
    const listener = (): void => void calls++;
    task.tags.addListener(listener);
    await flushListeners();
    task.tags.removeListener(listener);
    realm.write(() => task.tags.push("x"));
    await flushListeners();
    expect(calls).toBe(1);
  });

  it("notifies every realm instance open on the same file", async () => {
    const file = path();
    const a = open({ path: file, schema });
    const b = open({ path: file, schema });
    const seen: number[] = [];
    b.objects<Obj>("Task").addListener((tasks) => seen.push(tasks.length));
    await flushListeners();
    a.write(() => a.create("Task", { id: 1, title: "a", done: false }));
    await flushListeners();
    expect(seen).toEqual([0, 1]);
  });

  it("reports dictionary insertions, modifications and deletions by key", async () => {
    const realm = open({ path: path(), schema });
    const task = realm.write(() =>
      realm.create<Obj>("Task", {
        id: 1,
        title: "a",
        done: false,
        extras: { color: "red", size: "L" },
      }),
    );
    const calls: unknown[] = [];
    const listener = (_d: unknown, changes: unknown): void => void calls.push(changes);
    task.extras.addListener(listener);
    await flushListeners();
    realm.write(() => {
      task.extras.color = "blue";
      task.extras.shape = "round";
      task.extras.remove("size");
    });
    await flushListeners();
    task.extras.removeListener(listener);
    realm.write(() => {
      task.extras.color = "green";
    });
    await flushListeners();
    expect(calls).toEqual([
      { insertions: [], modifications: [], deletions: [] },
      { insertions: ["shape"], modifications: ["color"], deletions: ["size"] },
    ]);
  });
  describe("a listener added just before a synchronous write", () => {
    it("never reports the written objects twice: in the first call's state and as insertions", async () => {
      const realm = open({ path: path(), schema });
      realm.write(() => realm.create("Task", { id: 1, title: "old", done: false }));
      const tasks = realm.objects<Obj>("Task");
      const seen: { length: number; insertions: number }[] = [];
      tasks.addListener((collection, changes) =>
        seen.push({ length: collection.length, insertions: changes.insertions.length }),
      );
      realm.write(() => {
        for (let id = 2; id <= 4; id++) realm.create("Task", { id, title: "new", done: false });
      });
      await flushListeners();
      realm.write(() => realm.create("Task", { id: 5, title: "later", done: false }));
      await flushListeners();
      expect(seen).toEqual([
        { length: 4, insertions: 0 },
        { length: 5, insertions: 1 },
      ]);
      const [first, ...later] = seen;
      const reported = (first?.length ?? 0) + later.reduce((sum, call) => sum + call.insertions, 0);
      expect(reported).toBe(tasks.length);
    });

    it("holds for lists", async () => {
      const realm = open({ path: path(), schema });
      const task = realm.write(() =>
        realm.create<Obj>("Task", { id: 1, title: "a", done: false, tags: ["x"] }),
      );
      const seen: { length: number; insertions: number }[] = [];
      task.tags.addListener((tags: { length: number }, changes: CollectionChangeSet) =>
        seen.push({ length: tags.length, insertions: changes.insertions.length }),
      );
      realm.write(() => task.tags.push("y", "z"));
      await flushListeners();
      expect(seen).toEqual([{ length: 3, insertions: 0 }]);
    });

    it("holds for dictionaries", async () => {
      const realm = open({ path: path(), schema });
      const task = realm.write(() =>
        realm.create<Obj>("Task", { id: 1, title: "a", done: false, extras: { color: "red" } }),
      );
      const seen: { keys: number; insertions: string[] }[] = [];
      task.extras.addListener(
        (extras: Record<string, unknown>, changes: { insertions: string[] }) =>
          seen.push({ keys: Object.keys(extras).length, insertions: changes.insertions }),
      );
      realm.write(() => {
        task.extras.size = "L";
        task.extras.shape = "round";
      });
      await flushListeners();
      realm.write(() => {
        task.extras.weight = "light";
      });
      await flushListeners();
      expect(seen).toEqual([
        { keys: 3, insertions: [] },
        { keys: 4, insertions: ["weight"] },
      ]);
    });

    it("reports an object's change once", async () => {
      const realm = open({ path: path(), schema });
      const task = realm.write(() => realm.create<Obj>("Task", { id: 1, title: "a", done: false }));
      const changes: ObjectChangeSet<Obj>[] = [];
      task.addListener((_obj, change) => changes.push(change));
      realm.write(() => {
        task.title = "b";
      });
      await flushListeners();
      expect(changes).toEqual([{ deleted: false, changedProperties: ["title"] }]);
    });
  });
});
