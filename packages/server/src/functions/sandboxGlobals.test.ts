/**
 * The globals a function finds besides `context`: the web shims the sandbox supplies (checked
 * against Node's own implementations on generated inputs), `utils.crypto`, timers, and BSON's
 * binary codec, which runs on those shims.
 */
import { createHash, createHmac } from "node:crypto";
import { AppError } from "@atoll/protocol";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, userNamed } from "./test-support/functionsHarness.js";
import type { Harness } from "./test-support/functionsHarness.js";

const USER = userNamed("64b7f0c2a1b2c3d4e5f60021");

// Mostly bytes that start or continue multi-byte sequences, so that near-valid input is common.
const utf8ishByte = fc.oneof(
  fc.integer({ min: 0, max: 255 }),
  fc.integer({ min: 0x80, max: 0xbf }),
  fc.constantFrom(0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5),
);

describe("sandbox globals", () => {
  let h: Harness;
  const run = (name: string, ...args: unknown[]) => h.service.execute(name, args, USER);

  beforeAll(async () => {
    h = await startHarness({
      utf8: {
        source:
          "exports = (text) => [Array.from(new TextEncoder().encode(text)), new TextDecoder().decode(new TextEncoder().encode(text))];",
      },
      decode: {
        source:
          "exports = (bytes, fatal) => new TextDecoder('utf-8', { fatal }).decode(new Uint8Array(bytes));",
      },
      base64: {
        source:
          "exports = (latin1) => { const encoded = btoa(latin1); return [encoded, atob(encoded)]; };",
      },
      hash: {
        source:
          "exports = (algorithm, text) => utils.crypto.hash(algorithm, text).toString('hex');",
      },
      hashBytes: {
        source:
          "exports = (size) => utils.crypto.hash('sha1', new Uint8Array(size).fill(7)).toString('hex');",
      },
      hmac: {
        source:
          "exports = (text, secret, algorithm, format) => utils.crypto.hmac(text, secret, algorithm, format);",
      },
      jwtRoundTrip: {
        source: `exports = (secret) => {
          const token = utils.jwt.encode("HS256", { sub: "abc", role: "admin" }, secret, { kid: "k1" });
          return [token, utils.jwt.decode(token, secret), utils.jwt.decode(token, secret, true).header];
        };`,
      },
      jwtForged: { source: "exports = (token) => utils.jwt.decode(token, 'the real secret');" },
      random: {
        source:
          "exports = () => { const a = crypto.getRandomValues(new Uint8Array(32)); const b = crypto.getRandomValues(new Uint8Array(32)); return a.some((x, i) => x !== b[i]); };",
      },
      timers: {
        source: `exports = async () => {
          const order = [];
          const cancelled = setTimeout(() => order.push("cancelled"), 5);
          clearTimeout(cancelled);
          queueMicrotask(() => order.push("microtask"));
          await new Promise((resolve) => setTimeout(() => { order.push("timeout"); resolve(); }, 10));
          let ticks = 0;
          await new Promise((resolve) => { const id = setInterval(() => { ticks += 1; if (ticks === 3) { clearInterval(id); resolve(); } }, 1); });
          order.push("interval x" + ticks);
          return order;
        };`,
      },
      bsonBinary: { source: "exports = (doc) => BSON.deserialize(BSON.serialize(doc));" },
      network: {
        source: "exports = async () => context.http.get({ url: 'https://example.com' });",
      },
    });
  });

  afterAll(async () => {
    await h.close();
  });

  it("encodes and decodes UTF-8 exactly as Node does", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary" }), async (text) => {
        expect(await run("utf8", text)).toEqual([
          Array.from(Buffer.from(text, "utf8")),
          Buffer.from(text, "utf8").toString("utf8"),
        ]);
      }),
      { numRuns: 40 },
    );
  });

  it("decodes arbitrary bytes as Node's TextDecoder does, or refuses them when fatal", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(utf8ishByte, { maxLength: 24 }), async (bytes) => {
        expect(await run("decode", bytes, false)).toBe(
          new TextDecoder().decode(new Uint8Array(bytes)),
        );
        let nodeFatal: string | undefined;
        try {
          nodeFatal = new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(bytes));
        } catch {
          nodeFatal = undefined;
        }
        const ours = await run("decode", bytes, true).then(
          (text) => text as string,
          () => undefined,
        );
        expect(ours).toBe(nodeFatal);
      }),
      { numRuns: 150 },
    );
  });

  it("has btoa and atob for Latin-1 text", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 })
          .map((codes) => String.fromCharCode(...codes)),
        async (latin1) => {
          expect(await run("base64", latin1)).toEqual([
            Buffer.from(latin1, "latin1").toString("base64"),
            latin1,
          ]);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("offers utils.crypto hash and hmac", async () => {
    expect(await run("hash", "sha256", "atoll")).toBe(
      createHash("sha256").update("atoll").digest("hex"),
    );
    expect(await run("hash", "md5", "atoll")).toBe(createHash("md5").update("atoll").digest("hex"));
    expect(await run("hashBytes", 300_000)).toBe(
      createHash("sha1").update(Buffer.alloc(300_000, 7)).digest("hex"),
    );
    expect(await run("hmac", "payload", "secret", "sha256", "base64")).toBe(
      createHmac("sha256", "secret").update("payload").digest("base64"),
    );
    const error = (await run("hash", "sha3-whatever", "x").catch((e: unknown) => e)) as AppError;
    expect(error.message).toMatch(/^utils.crypto: unsupported hash function 'sha3-whatever'/);
  });

  it("signs and verifies JWTs with utils.jwt, refusing a forged one", async () => {
    const [token, payload, header] = (await run("jwtRoundTrip", "s3cret")) as [
      string,
      unknown,
      unknown,
    ];
    const [head, body, signature] = token.split(".") as [string, string, string];
    expect(signature).toBe(
      createHmac("sha256", "s3cret").update(`${head}.${body}`).digest("base64url"),
    );
    expect(payload).toEqual({ sub: "abc", role: "admin" });
    expect(header).toEqual({ kid: "k1", alg: "HS256", typ: "JWT" });
    const forged = (await run("jwtForged", token).catch((e: unknown) => e)) as AppError;
    expect(forged.message).toBe("utils.jwt.decode: signature verification failed");
  });

  it("draws random bytes from the host", async () => {
    expect(await run("random")).toBe(true);
  });

  it("runs timers, intervals and microtasks, and honours clearTimeout", async () => {
    expect(await run("timers")).toEqual(["microtask", "timeout", "interval x3"]);
  });

  it("serializes BSON inside the sandbox", async () => {
    expect(await run("bsonBinary", { name: "Zoë", n: 3, list: ["€", 1.5] })).toEqual({
      name: "Zoë",
      n: 3,
      list: ["€", 1.5],
    });
  });

  it("has no network unless the operator allows hosts: context.http explains itself", async () => {
    const error = (await run("network").catch((e: unknown) => e)) as AppError;
    expect(error).toBeInstanceOf(AppError);
    expect(error.message).toBe(
      "context.http is off: the operator allows hosts with atoll serve --functions-http-allow",
    );
  });
});
