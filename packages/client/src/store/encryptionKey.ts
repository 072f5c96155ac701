/**
 * The realm file's encryption key (Realm JS's `encryptionKey`): 64 bytes given as an
 * ArrayBuffer or any view on one. The store encrypts every page of the file (and its WAL) with
 * it; a file written with a key cannot be read without the same key.
 */
import { createHash } from "node:crypto";
import { ClientErrorCode, RealmError, TypeAssertionError } from "../errors.js";

export type EncryptionKey = ArrayBuffer | ArrayBufferView;

export const ENCRYPTION_KEY_BYTES = 64;

/** The type of a value, never the value itself: an error message must not carry key material. */
function describeType(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") {
    const name = (value as { constructor?: { name?: string } }).constructor?.name;
    if (Array.isArray(value)) return "an array";
    return name && name !== "Object" ? `an instance of ${name}` : "an object";
  }
  return typeof value === "undefined" ? "undefined" : `a ${typeof value}`;
}

/**
 * Checks the configuration's `encryptionKey` and returns a copy of its bytes (undefined when
 * there is none), so a caller changing its array later does not change the realm's key.
 */
export function checkEncryptionKey(key: unknown): Buffer | undefined {
  if (key === undefined) return undefined;
  let bytes: Buffer;
  if (key instanceof ArrayBuffer) bytes = Buffer.from(new Uint8Array(key));
  else if (ArrayBuffer.isView(key))
    bytes = Buffer.from(new Uint8Array(key.buffer, key.byteOffset, key.byteLength));
  else {
    throw new TypeAssertionError(
      `Expected 'encryptionKey' on realm configuration to be an ArrayBuffer, ArrayBufferView (Uint8Array), or Int8Array, got ${describeType(key)}.`,
      { property: "encryptionKey" },
    );
  }
  if (bytes.length !== ENCRYPTION_KEY_BYTES)
    throw new RealmError(ClientErrorCode.InvalidEncryptionKey, "Encryption key must be 64 bytes.");
  return bytes;
}

/** Names a key without revealing it: equal keys give equal fingerprints. */
export function keyFingerprint(key: Buffer | undefined): string {
  return key ? createHash("sha256").update(key).digest("hex") : "";
}
