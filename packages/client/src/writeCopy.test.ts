/**
 * `realm.writeCopyTo(config)` for a local realm: a compacted copy at a new path, encrypted
 * with the copy's own key (or none), refused inside a write, onto an existing file, or as a
 * synced realm.
 */
import { existsSync, readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Realm } from "./Realm.js";
import { ClientErrorCode } from "./errors.js";
import { useTempDir } from "./test-support/realms.js";

const schema = [{ name: "Note", primaryKey: "_id", properties: { _id: "string", text: "string" } }];
const TEXT = "copied words, kept private";

function texts(realm: Realm): string[] {
  return realm.objects<{ text: string }>("Note").map((note) => note.text);
}

describe("writeCopyTo", () => {
  const path = useTempDir();

  it("writes a copy that opens as a realm of its own, with or without another key", () => {
    const sourceKey = randomBytes(64);
    const realm = new Realm({ path: path(), schema, encryptionKey: sourceKey });
    realm.write(() => realm.create("Note", { _id: "a", text: TEXT }));

    const plain = path();
    realm.writeCopyTo({ path: plain });
    expect(readFileSync(plain).includes(TEXT)).toBe(true);
    const copyKey = randomBytes(64);
    const encrypted = path();
    realm.writeCopyTo({ path: encrypted, encryptionKey: copyKey });
    expect(readFileSync(encrypted).includes(TEXT)).toBe(false);

    realm.write(() => realm.create("Note", { _id: "b", text: "after the copy" }));
    const plainCopy = new Realm({ path: plain, schema });
    expect(texts(plainCopy)).toEqual([TEXT]);
    plainCopy.close();
    expect(() => new Realm({ path: encrypted, schema, encryptionKey: sourceKey })).toThrow(
      expect.objectContaining({ code: ClientErrorCode.DecryptionFailed }),
    );
    const encryptedCopy = new Realm({ path: encrypted, schema, encryptionKey: copyKey });
    expect(texts(encryptedCopy)).toEqual([TEXT]);
    encryptedCopy.close();
    expect(texts(realm)).toEqual([TEXT, "after the copy"]);
    realm.close();
  });

  it("refuses a copy inside a write, onto an existing file, or as a synced realm", () => {
    const realm = new Realm({ path: path(), schema });
    const target = path();
    realm.write(() => {
      expect(() => realm.writeCopyTo({ path: target })).toThrow(
        "Can only convert Realms outside a transaction.",
      );
    });
    expect(() => realm.writeCopyTo({ path: realm.path })).toThrow(
      `File at path '${realm.path}' already exists`,
    );
    expect(() => realm.writeCopyTo({ path: target, sync: { flexible: true } })).toThrow(
      "Realm cannot be converted to a flexible sync realm unless flexible sync is already enabled",
    );
    expect(() => realm.writeCopyTo({ path: target, encryptionKey: new Uint8Array(8) })).toThrow(
      "Encryption key must be 64 bytes.",
    );
    expect(existsSync(target)).toBe(false);
    realm.close();
  });
});
