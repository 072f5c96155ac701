/**
 * Host side of `utils.jwt.encode(signingMethod, payload, secret, customHeaderFields?)` and
 * `utils.jwt.decode(token, key, returnHeader?)` for the HMAC signing methods (HS256, HS384,
 * HS512). `decode` verifies the signature and the `exp`/`nbf` claims before answering.
 */
import { AppError } from "@atoll/protocol";
import { createHmac, timingSafeEqual } from "node:crypto";

const HASHES: Readonly<Record<string, string>> = {
  HS256: "sha256",
  HS384: "sha384",
  HS512: "sha512",
};

const base64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

function hashFor(algorithm: unknown): string {
  const hash = typeof algorithm === "string" ? HASHES[algorithm] : undefined;
  if (hash === undefined) {
    throw new AppError(
      "InvalidParameter",
      `utils.jwt: unsupported signing method '${String(algorithm)}' (use ${Object.keys(HASHES).join(", ")})`,
    );
  }
  return hash;
}

export function jwtEncode(
  algorithm: unknown,
  payload: unknown,
  secret: string,
  header: unknown,
): string {
  const hash = hashFor(algorithm);
  const head = {
    ...(header !== null && typeof header === "object" ? header : {}),
    alg: algorithm,
    typ: "JWT",
  };
  const body = `${base64url(JSON.stringify(head))}.${base64url(JSON.stringify(payload ?? {}))}`;
  return `${body}.${createHmac(hash, secret).update(body).digest("base64url")}`;
}

export function jwtDecode(token: string, key: string, returnHeader: boolean): unknown {
  const parts = token.split(".");
  if (parts.length !== 3)
    throw new AppError("InvalidParameter", "utils.jwt.decode: the token is not a JWT");
  const [head, body, signature] = parts as [string, string, string];
  const header = parseSegment(head);
  const expected = createHmac(hashFor(header.alg), key).update(`${head}.${body}`).digest();
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AppError("InvalidParameter", "utils.jwt.decode: signature verification failed");
  }
  const payload = parseSegment(body);
  const now = Date.now() / 1000;
  if (typeof payload.exp === "number" && now >= payload.exp)
    throw new AppError("InvalidParameter", "utils.jwt.decode: the token has expired");
  if (typeof payload.nbf === "number" && now < payload.nbf)
    throw new AppError("InvalidParameter", "utils.jwt.decode: the token is not valid yet");
  return returnHeader ? { header, payload } : payload;
}

function parseSegment(segment: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    if (value !== null && typeof value === "object" && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new AppError("InvalidParameter", "utils.jwt.decode: the token is not a JWT");
}
