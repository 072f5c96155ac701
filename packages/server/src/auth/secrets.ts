/**
 * Random secrets handed to clients (refresh-token sessions, API keys, confirmation tokens)
 * and the one-way digests the server keeps instead of the secrets themselves.
 */
import { createHash, randomBytes } from "node:crypto";
import { ObjectId } from "bson";

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString("hex");
}

/** SHA-256 is enough here: the inputs are high-entropy random secrets, not passwords. */
export function digest(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** A fresh 24-hex-digit id, the form App Services uses for user, device and key ids. */
export function newId(): string {
  return new ObjectId().toHexString();
}
