/**
 * Host side of the sandbox's randomness, `utils.crypto` (hash, hmac) and `utils.jwt`, on node:crypto.
 * Requests arrive as JSON from the sandbox and are validated here; bytes travel as base64,
 * text as UTF-8.
 */
import { AppError } from "@atoll/protocol";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { jwtDecode, jwtEncode } from "./jwtOps.js";

const MAX_RANDOM_BYTES = 65536;
const ALGORITHMS: Readonly<Record<string, string>> = {
  md5: "md5",
  sha1: "sha1",
  sha256: "sha256",
  sha512: "sha512",
};

export function randomHex(count: string): string {
  const bytes = Number(count);
  if (!Number.isInteger(bytes) || bytes < 0 || bytes > MAX_RANDOM_BYTES) {
    throw new AppError(
      "InvalidParameter",
      `random bytes: expected a count from 0 to ${MAX_RANDOM_BYTES}`,
    );
  }
  return randomBytes(bytes).toString("hex");
}

export function cryptoOperation(requestJson: string): string {
  const request = asRecord(JSON.parse(requestJson));
  if (request.op === "jwtEncode")
    return jwtEncode(request.algorithm, request.payload, String(request.secret), request.header);
  if (request.op === "jwtDecode")
    return JSON.stringify(
      jwtDecode(String(request.token), String(request.key), request.returnHeader === true),
    );
  const algorithm = ALGORITHMS[String(request.algorithm).toLowerCase()];
  if (algorithm === undefined) {
    throw new AppError(
      "InvalidParameter",
      `utils.crypto: unsupported hash function '${String(request.algorithm)}' (use ${Object.keys(ALGORITHMS).join(", ")})`,
    );
  }
  const input = bytesOf(request.input);
  if (request.op === "hash") return createHash(algorithm).update(input).digest("base64");
  if (request.op === "hmac") {
    const format = String(request.format);
    if (format !== "hex" && format !== "base64")
      throw new AppError(
        "InvalidParameter",
        "utils.crypto.hmac: the output format must be 'hex' or 'base64'",
      );
    return createHmac(algorithm, bytesOf(request.secret)).update(input).digest(format);
  }
  throw new AppError("InvalidParameter", `utils.crypto: unknown operation '${String(request.op)}'`);
}

function bytesOf(value: unknown): Buffer {
  const input = asRecord(value);
  if (typeof input.text === "string") return Buffer.from(input.text, "utf8");
  if (typeof input.base64 === "string") return Buffer.from(input.base64, "base64");
  throw new AppError("InvalidParameter", "utils.crypto: expected a string or binary input");
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
}
