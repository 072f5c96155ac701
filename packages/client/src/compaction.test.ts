/**
 * Free space: `shouldCompact` is asked on open with the file's total and used bytes and
 * compacts it when it says so; `realm.compact()` does the same on an open realm.
 */
import { describe, expect, it } from "vitest";
import { Realm } from "./Realm.js";
import { ClientErrorCode } from "./errors.js";
import { useTempDir } from "./test-support/realms.js";

const schema = [{ name: "Blob", properties: { text: "string" } }];

/** A closed realm file with data, most of which was then deleted. */
function fileWithFreeSpace(path: string): void {
  const realm = new Realm({ path, schema });
  realm.write(() => {
    for (let i = 0; i < 500; i++) realm.create("Blob", { text: `${i}:${"x".repeat(500)}` });
  });
  realm.write(() => realm.delete(realm.objects("Blob").filtered("text BEGINSWITH '1'")));
  realm.close();
}

function sizesOnOpen(path: string, compact: boolean): { total: number; used: number } {
  let seen: { total: number; used: number } | undefined;
  const realm = new Realm({
    path,
    schema,
    shouldCompact: (total, used) => {
      seen = { total, used };
      return compact;
    },
  });
  realm.close();
  if (!seen) throw new Error("shouldCompact was not called");
  return seen;
}

describe("compaction", () => {
  const path = useTempDir();

  it("asks shouldCompact with total and used bytes, and compacts when it answers true", () => {
    const file = path();
    fileWithFreeSpace(file);
    const before = sizesOnOpen(file, false);
    expect(before.total).toBeGreaterThan(before.used);
    expect(sizesOnOpen(file, true)).toEqual(before);
    const after = sizesOnOpen(file, false);
    expect(after.total).toBe(after.used);
    expect(after.total).toBeLessThan(before.total);
    const realm = new Realm({ path: file, schema });
    expect(realm.objects("Blob")).toHaveLength(500 - 111);
    realm.close();
  });

  it("does not ask again for a file already open in the process", () => {
    const file = path();
    fileWithFreeSpace(file);
    const first = new Realm({ path: file, schema });
    let asked = false;
    const second = new Realm({ path: file, schema, shouldCompact: () => (asked = true) });
    expect(asked).toBe(false);
    second.close();
    first.close();
  });

  it("compact() frees the space of deleted objects, outside a write transaction", () => {
    const file = path();
    fileWithFreeSpace(file);
    const before = sizesOnOpen(file, false);
    const realm = new Realm({ path: file, schema });
    realm.beginTransaction();
    expect(() => realm.compact()).toThrow(
      expect.objectContaining({
        code: ClientErrorCode.WrongTransactionState,
        message: "Cannot compact a Realm within a transaction.",
      }),
    );
    realm.cancelTransaction();
    expect(realm.compact()).toBe(true);
    expect(realm.objects("Blob")).toHaveLength(389);
    realm.write(() => realm.create("Blob", { text: "after" }));
    realm.close();
    const after = sizesOnOpen(file, false);
    expect(after.total).toBeLessThan(before.total);
    expect(after.total - after.used).toBeLessThan(before.total - before.used);
  });
});
