/**
 * Hostile request bodies at the real routes that parse EJSON (function calls, data-API
 * actions, logins, registration) of a real server on a SQLite file: malformed JSON, deep
 * nesting, huge numbers, EJSON wrappers of the wrong shape, prototype keys, long strings,
 * bodies around the size limit. Every answer is a 2xx or a 4xx with the App Services error
 * shape — never a 500, never a dropped connection — and an ordinary user's data and calls are
 * untouched afterwards.
 */
import fc from "fast-check";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AtollServer } from "../AtollServer.js";
import { fuzzParameters } from "../../../protocol/src/test-support/fuzzParameters.js";
import { RawClient, type Login } from "./test-support/rawClient.js";
import { TEST_APP_DIR } from "./test-support/standInServer.js";

const BODY_LIMIT = 1024 * 1024;

let dir: string;
let server: AtollServer;
let client: RawClient;
let ordinary: Login;
let hostile: Login;
let ordinaryCarId: unknown;

const CAR = { database: "cars-db", collection: "Car" };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "atoll-ejson-fuzz-"));
  server = await AtollServer.start({
    appDir: TEST_APP_DIR,
    port: 0,
    storage: `sqlite:${path.join(dir, "fuzz.db")}`,
    logLevel: "silent",
    bodyLimitBytes: BODY_LIMIT,
  });
  client = new RawClient({ api: `${server.url}/api/client/v2.0`, appId: server.appId });
  ordinary = await client.anonymousLogin();
  hostile = await client.anonymousLogin();
  const inserted = await client.call(client.appPath("/functions/call"), {
    method: "POST",
    token: ordinary.access_token,
    body: JSON.stringify({
      service: "mongodb-atlas",
      name: "insertOne",
      arguments: [{ ...CAR, document: { ownerId: ordinary.user_id, make: "Ada", miles: 7 } }],
    }),
  });
  expect(inserted.status).toBe(200);
  ordinaryCarId = (inserted.body as { insertedId: unknown }).insertedId;
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** Where a hostile body goes: a route that parses EJSON, and whether it takes the token. */
interface Target {
  readonly path: string;
  readonly token: boolean;
  /** A well-formed body for this route with `value` (as JSON text) where the client's data goes. */
  readonly envelope: (value: string) => string;
}

const TARGETS: readonly Target[] = [
  {
    path: "/functions/call",
    token: true,
    envelope: (value) => `{"name":"sum","arguments":[${value},${value}]}`,
  },
  {
    path: "/functions/call",
    token: true,
    envelope: (value) =>
      `{"service":"mongodb-atlas","name":"find","arguments":[{"database":"cars-db","collection":"Car","query":${value}}]}`,
  },
  {
    path: "/functions/call",
    token: true,
    envelope: (value) =>
      `{"service":"mongodb-atlas","name":"insertOne","arguments":[{"database":"cars-db","collection":"Car","document":{"make":"x","extra":${value}}}]}`,
  },
  {
    path: "/functions/call",
    token: true,
    envelope: (value) =>
      `{"service":"mongodb-atlas","name":"updateMany","arguments":[{"database":"cars-db","collection":"Car","query":{},"update":{"$set":{"model":${value}}}}]}`,
  },
  { path: "/functions/call", token: true, envelope: (value) => value },
  {
    path: "/auth/providers/anon-user/login",
    token: false,
    envelope: (value) => `{"options":{"device":${value}}}`,
  },
  {
    path: "/auth/providers/local-userpass/login",
    token: false,
    envelope: (value) => `{"username":${value},"password":${value}}`,
  },
  {
    path: "/auth/providers/custom-function/login",
    token: false,
    envelope: (value) => `{"username":${value},"pin":${value}}`,
  },
  {
    path: "/auth/providers/local-userpass/register",
    token: false,
    envelope: (value) => `{"email":${value},"password":"password1"}`,
  },
  { path: "/auth/providers/anon-user/login", token: false, envelope: (value) => value },
];

const HOSTILE_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "$numberLong",
  "$numberInt",
  "$numberDouble",
  "$numberDecimal",
  "$date",
  "$oid",
  "$binary",
  "$regularExpression",
  "$regex",
  "$where",
  "$function",
  "",
];

/** Number literals JSON.stringify cannot write: beyond double range, beyond int64, odd forms. */
const RAW_NUMBERS = [
  "1e400",
  "-1e400",
  "123456789012345678901234567890",
  "-0",
  "4.9e-325",
  "9007199254740993",
  "0.0000000000000000000000000000001",
];

const scalar: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...RAW_NUMBERS),
  fc.double().map((n) => (Number.isFinite(n) ? JSON.stringify(n) : "0")),
  fc.string().map((text) => JSON.stringify(text)),
  fc.constantFrom("true", "false", "null", '""', '"\\u0000"', '"\\ud800"'),
  fc.integer({ min: 10_000, max: 200_000 }).map((length) => JSON.stringify("x".repeat(length))),
);

const wrapperPayload: fc.Arbitrary<string> = fc.oneof(
  scalar,
  fc.constantFrom(
    "{}",
    "[]",
    '{"$numberLong":"1"}',
    '{"base64":1,"subType":"zz"}',
    '{"base64":"!!!","subType":"00"}',
    '{"pattern":"(a+)+$","options":"q"}',
    '{"pattern":"[","options":""}',
    '{"pattern":1}',
    '{"$numberLong":"99999999999999999999999999"}',
  ),
);

/** JSON text of a value built from hostile keys, EJSON wrappers of any shape, and scalars. */
const hostileValue: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc
      .tuple(fc.constantFrom(...HOSTILE_KEYS.filter((key) => key.startsWith("$"))), wrapperPayload)
      .map(([key, payload]) => `{${JSON.stringify(key)}:${payload}}`),
    fc
      .array(fc.tuple(fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string()), tie("value")), {
        maxLength: 4,
      })
      .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`),
    fc.array(tie("value"), { maxLength: 4 }).map((items) => `[${items.join(",")}]`),
  ),
})).value;

/** Text that is not the JSON it pretends to be, or nests far too deep. */
const brokenText: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  hostileValue.chain((text) =>
    fc.integer({ min: 1, max: Math.max(1, text.length - 1) }).map((end) => text.slice(0, end)),
  ),
  fc
    .tuple(fc.constantFrom("[", '{"a":'), fc.integer({ min: 100, max: 100_000 }), fc.boolean())
    .map(([open, depth, closed]) => {
      const close = open === "[" ? "]" : "}";
      return open.repeat(depth) + (closed ? `1${close.repeat(depth)}` : "");
    }),
  fc.constantFrom("{", "}", "{}}", '{"a":1,}', "{'a':1}", "\ufeff{}", "NaN", "[1,2"),
);

/** A body whose length lands within a few bytes of the limit, on either side. */
const nearLimit: fc.Arbitrary<(target: Target) => string> = fc
  .integer({ min: -16, max: 16 })
  .map((offset) => (target) => {
    const shell = target.envelope('""');
    const padding = Math.max(0, BODY_LIMIT + offset - shell.length);
    return target.envelope(JSON.stringify("y".repeat(padding)));
  });

const request: fc.Arbitrary<{ target: Target; body: string }> = fc
  .tuple(
    fc.constantFrom(...TARGETS),
    fc.oneof(
      hostileValue.map((value) => (target: Target) => target.envelope(value)),
      brokenText.map((text) => (target: Target) => target.envelope(text)),
      brokenText.map((text) => () => text),
      nearLimit,
    ),
  )
  .map(([target, build]) => {
    const body = build(target);
    // Counterexamples can be megabytes long: reported by route, size and opening.
    const shown = (): string =>
      `POST ${target.path} (${body.length} characters): ${body.slice(0, 300)}`;
    return { target, body, [fc.toStringMethod]: shown };
  });

interface Answer {
  readonly status: number;
  readonly type: string | null;
  readonly text: string;
}

async function send(target: Target, body: string | ReadableStream<Uint8Array>): Promise<Answer> {
  const headers = new Headers({ "Content-Type": "application/json" });
  if (target.token) headers.set("Authorization", `Bearer ${hostile.access_token}`);
  const response = await fetch(`${server.url}/api/client/v2.0${client.appPath(target.path)}`, {
    method: "POST",
    headers,
    body,
    ...(typeof body === "string" ? {} : { duplex: "half" }),
  });
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    text: await response.text(),
  };
}

/** A 2xx, or a 4xx whose body is the App Services error shape. */
function expectOrderlyAnswer(answer: Answer): void {
  expect(answer.status, answer.text.slice(0, 300)).toBeLessThan(500);
  if (answer.status < 400) return;
  expect(answer.type).toBe("application/json");
  expect(JSON.parse(answer.text)).toEqual({
    error: expect.any(String) as unknown,
    error_code: expect.any(String) as unknown,
    link: expect.any(String) as unknown,
  });
}

async function expectOrdinaryUserUnharmed(): Promise<void> {
  const found = await client.call(client.appPath("/functions/call"), {
    method: "POST",
    token: ordinary.access_token,
    body: JSON.stringify({
      service: "mongodb-atlas",
      name: "findOne",
      arguments: [{ ...CAR, query: { _id: ordinaryCarId } }],
    }),
  });
  expect(found.status).toBe(200);
  expect(found.body).toEqual({
    _id: ordinaryCarId,
    ownerId: ordinary.user_id,
    make: "Ada",
    miles: { $numberInt: "7" },
  });
  const sum = await client.callFunction(ordinary.access_token, "sum", [1, 2]);
  expect(sum.body).toEqual({ $numberInt: "3" });
}

function chunkedBody(bytes: number): ReadableStream<Uint8Array> {
  const chunk = new TextEncoder().encode("[".repeat(1024));
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) controller.close();
      else controller.enqueue(chunk);
      sent += chunk.length;
    },
  });
}

describe("hostile EJSON bodies", () => {
  it("get a 2xx or an App Services 4xx at every EJSON route (generated bodies)", async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ target, body }) => {
        expectOrderlyAnswer(await send(target, body));
      }),
      fuzzParameters(120),
    );
    await expectOrdinaryUserUnharmed();
  });

  it("answer 400 to 100 000 nested arrays or objects, 413 over the size limit, chunked or not", async () => {
    for (const target of TARGETS) {
      for (const deep of ["[".repeat(100_000), '{"a":'.repeat(100_000)]) {
        const answer = await send(target, target.envelope(deep));
        expectOrderlyAnswer(answer);
        expect(JSON.parse(answer.text)).toMatchObject({ error_code: "BadRequest" });
      }
    }
    const [first] = TARGETS;
    if (first === undefined) throw new Error("no targets");
    const streamed = await send(first, chunkedBody(2 * BODY_LIMIT));
    expect(streamed.status).toBe(413);
    expectOrderlyAnswer(streamed);
    const declared = await send(first, first.envelope(JSON.stringify("z".repeat(BODY_LIMIT))));
    expect(declared.status).toBe(413);
    await expectOrdinaryUserUnharmed();
  });
});
