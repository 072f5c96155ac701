/**
 * `onFirstOpen` fills a new file with initial data in the transaction that creates it, once;
 * `inMemory: true` realms never touch the disk; `Realm.copyBundledRealmFiles()` is accepted.
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Realm } from "./Realm.js";
import { useTempDir } from "./test-support/realms.js";

const schema = [{ name: "Tag", primaryKey: "name", properties: { name: "string" } }];

function tags(realm: Realm): string[] {
  return realm.objects<{ name: string }>("Tag").map((tag) => tag.name);
}

describe("onFirstOpen", () => {
  const path = useTempDir();

  it("runs once, when the open creates the file, inside its write transaction", () => {
    const file = path();
    let calls = 0;
    const config = {
      path: file,
      schema,
      onFirstOpen: (realm: Realm) => {
        calls++;
        expect(realm.isInTransaction).toBe(true);
        realm.create("Tag", { name: "inbox" });
        realm.create("Tag", { name: "archive" });
      },
    };
    const realm = new Realm(config);
    expect(tags(realm)).toEqual(["inbox", "archive"]);
    realm.write(() => realm.delete(realm.objectForPrimaryKey("Tag", "inbox")));
    realm.close();
    const again = new Realm(config);
    expect(tags(again)).toEqual(["archive"]);
    expect(calls).toBe(1);
    again.close();
  });

  it("writes nothing when it throws, so the next open is a first open again", () => {
    const file = path();
    const failing = () =>
      new Realm({
        path: file,
        schema,
        onFirstOpen: (realm) => {
          realm.create("Tag", { name: "half" });
          throw new Error("no initial data today");
        },
      });
    expect(failing).toThrow("no initial data today");
    expect(
      () => new Realm({ path: file, schema, onFirstOpen: (r) => r.write(() => undefined) }),
    ).toThrow("The Realm is already in a write transaction");
    const realm = new Realm({
      path: file,
      schema,
      onFirstOpen: (r) => void r.create("Tag", { name: "whole" }),
    });
    expect(tags(realm)).toEqual(["whole"]);
    realm.close();
  });
});

describe("inMemory", () => {
  const path = useTempDir();

  it("shares the data between instances on one path, keeps nothing on disk and forgets it after the last close", () => {
    const file = path();
    const first = new Realm({ path: file, schema, inMemory: true });
    expect(first.isInMemory).toBe(true);
    first.write(() => first.create("Tag", { name: "volatile" }));
    const second = new Realm({ path: file, schema, inMemory: true });
    expect(tags(second)).toEqual(["volatile"]);
    expect(existsSync(file)).toBe(false);
    second.close();
    first.close();
    const later = new Realm({ path: file, schema, inMemory: true });
    expect(tags(later)).toEqual([]);
    later.close();
    expect(existsSync(file)).toBe(false);
    const onDisk = new Realm({ path: file, schema });
    expect(onDisk.isInMemory).toBe(false);
    onDisk.close();
  });

  it("accepts Realm.copyBundledRealmFiles(), which has nothing to copy in Node", () => {
    expect(Realm.copyBundledRealmFiles()).toBeUndefined();
  });
});
