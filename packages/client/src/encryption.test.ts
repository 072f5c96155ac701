/**
 * `encryptionKey`: the realm file and its WAL hold no readable trace of the data, the key opens
 * it again, and anything else (a wrong key, no key, a key for a plain file, a key that is not
 * 64 bytes) is refused with a clear error and never reads garbage.
 */
import { existsSync, readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Realm } from "./Realm.js";
import { ClientErrorCode, RealmError, TypeAssertionError } from "./errors.js";
import { useTempDir } from "./test-support/realms.js";

const schema = [{ name: "Note", primaryKey: "_id", properties: { _id: "string", text: "string" } }];
const SECRET_ID = "note-identifier-7f3a";
const SECRET_TEXT = "the launch code is swordfish-42";

/** Everything on disk for a realm file: the file and, while it is open, its WAL. */
function bytesOnDisk(path: string): Buffer {
  const parts = [path, `${path}-wal`].filter(existsSync).map((file) => readFileSync(file));
  return Buffer.concat(parts);
}

function writeNote(realm: Realm): void {
  realm.write(() => realm.create("Note", { _id: SECRET_ID, text: SECRET_TEXT }));
}

function openFailure(open: () => unknown): RealmError {
  try {
    open();
  } catch (error) {
    expect(error).toBeInstanceOf(RealmError);
    return error as RealmError;
  }
  throw new Error("expected the open to fail");
}

describe("encryptionKey", () => {
  const path = useTempDir();

  it("without a key the strings are on disk (the check below can see them)", () => {
    const file = path();
    const realm = new Realm({ path: file, schema });
    writeNote(realm);
    expect(bytesOnDisk(file).includes(SECRET_TEXT)).toBe(true);
    realm.close();
  });

  it("keeps the file and its WAL encrypted, and opens again with the key", () => {
    const file = path();
    const key = randomBytes(64);
    const realm = new Realm({ path: file, schema, encryptionKey: key });
    writeNote(realm);
    const whileOpen = bytesOnDisk(file);
    expect(whileOpen.length).toBeGreaterThan(0);
    for (const secret of [SECRET_ID, SECRET_TEXT, "Note", "schema"])
      expect(whileOpen.includes(secret)).toBe(false);
    realm.close();
    expect(bytesOnDisk(file).includes(SECRET_TEXT)).toBe(false);

    // The key as another view type (an Int8Array over the same bytes) is the same key.
    const again = new Realm({ path: file, schema, encryptionKey: new Int8Array(key) });
    expect(again.objectForPrimaryKey<{ text: string }>("Note", SECRET_ID)?.text).toBe(SECRET_TEXT);
    again.close();
    expect(Realm.schemaVersion(file, key.buffer.slice(key.byteOffset, key.byteOffset + 64))).toBe(
      0,
    );
  });

  it("refuses a wrong key, a missing key, and a key for a file that is not encrypted", () => {
    const file = path();
    const key = randomBytes(64);
    new Realm({ path: file, schema, encryptionKey: key }).close();

    const wrong = openFailure(
      () => new Realm({ path: file, schema, encryptionKey: randomBytes(64) }),
    );
    expect(wrong.code).toBe(ClientErrorCode.DecryptionFailed);
    expect(wrong.message).toBe(
      `Realm file decryption failed: the encryption key given does not open '${file}' (it was written with another key, or without one)`,
    );
    const missing = openFailure(() => new Realm({ path: file, schema }));
    expect(missing.code).toBe(ClientErrorCode.UnsupportedFileFormat);
    expect(missing.message).toMatch(/encrypted and no encryption key was given/);
    expect(openFailure(() => Realm.schemaVersion(file)).code).toBe(
      ClientErrorCode.UnsupportedFileFormat,
    );

    const plain = path();
    new Realm({ path: plain, schema }).close();
    expect(openFailure(() => new Realm({ path: plain, schema, encryptionKey: key })).code).toBe(
      ClientErrorCode.DecryptionFailed,
    );
    // The refused opens left the files as they were.
    const reopened = new Realm({ path: file, schema, encryptionKey: key });
    expect(reopened.schema.map((type) => type.name)).toEqual(["Note"]);
    reopened.close();
    new Realm({ path: plain, schema }).close();
  });

  it("refuses a second instance on an open file with another key", () => {
    const file = path();
    const key = randomBytes(64);
    const realm = new Realm({ path: file, schema, encryptionKey: key });
    const other = openFailure(
      () => new Realm({ path: file, schema, encryptionKey: randomBytes(64) }),
    );
    expect(other.message).toBe(
      `Realm at path '${file}' already opened with different encryption key`,
    );
    expect(openFailure(() => new Realm({ path: file, schema })).code).toBe(
      ClientErrorCode.DecryptionFailed,
    );
    const same = new Realm({ path: file, schema, encryptionKey: Uint8Array.from(key) });
    writeNote(same);
    expect(realm.objects("Note")).toHaveLength(1);
    same.close();
    realm.close();
  });

  it("takes only 64 bytes in an ArrayBuffer or a view, with Realm's messages", () => {
    const file = path();
    const short = openFailure(
      () => new Realm({ path: file, schema, encryptionKey: new Int8Array(63) }),
    );
    expect([short.code, short.message]).toEqual([
      ClientErrorCode.InvalidEncryptionKey,
      "Encryption key must be 64 bytes.",
    ]);
    const text = openFailure(
      () =>
        new Realm({
          path: file,
          schema,
          encryptionKey: "x".repeat(64) as unknown as ArrayBuffer,
        }),
    );
    expect(text).toBeInstanceOf(TypeAssertionError);
    expect(text.message).toBe(
      "Expected 'encryptionKey' on realm configuration to be an ArrayBuffer, ArrayBufferView (Uint8Array), or Int8Array, got a string.",
    );
    expect(existsSync(file)).toBe(false);
  });
});
