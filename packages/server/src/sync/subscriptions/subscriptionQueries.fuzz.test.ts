/**
 * Fuzzes subscription queries over a real WebSocket: generated RQL (valid queries over
 * queryable and other fields, garbage, deep nesting up to 100 000 parentheses, huge literals,
 * unknown properties and tables, SORT/LIMIT, subqueries) sent as subscription sets on one
 * session. Each set is either bootstrapped or refused with bad_query (226), and the session
 * goes on: never a fatal error, a closed connection or a hang. A bystander device keeps
 * receiving another device's writes throughout.
 */
import { BatchState, SyncErrorCode, type Instruction } from "@atoll/protocol";
import { Long, ObjectId } from "bson";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { fuzzParameters } from "../../../../protocol/src/test-support/fuzzParameters.js";
import { startSyncServer, type SyncTestServer } from "../test-support/startSyncServer.js";
import type { SyncTestClient, TestLogin } from "../test-support/SyncTestClient.js";

let t: SyncTestServer;
let login: TestLogin;
let fuzzed: SyncTestClient;
let bystander: SyncTestClient;
let queryVersion = 1;
/** Rejects when the fuzzed session gets a protocol error (none is expected). */
let fatal: Promise<never>;

beforeAll(async () => {
  t = await startSyncServer();
  login = await t.logIn();
  fuzzed = await t.connect(login);
  await fuzzed.bind();
  fatal = fuzzed.next("error").then((e) => {
    throw new Error(`fatal ${e.code}: ${e.message}`);
  });
  fatal.catch(() => {}); // observed by every subscribe
  bystander = await t.connect(login);
  await bystander.bind();
  await bystander.subscribe(1, { Car: "miles >= 0" });
});
afterAll(async () => {
  await t.stop();
});

const fields = fc.constantFrom(
  "_id",
  "miles",
  "ownerId",
  "make",
  "model",
  "nope",
  "tags.@count",
  "owner.name",
);
const operators = fc.constantFrom(
  "==",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
  "BEGINSWITH",
  "CONTAINS[c]",
  "LIKE",
  "IN",
  "BETWEEN",
);
const literals = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true }).map(String),
  fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
  fc.constantFrom(
    "NULL",
    "TRUE",
    "$0",
    "{1, 2}",
    "{}",
    "oid(6424433fd4d9f52ee93ad590)",
    "T2020-01-01@00:00:00",
  ),
  fc.constant(`"${"x".repeat(200_000)}"`),
  fc.constant("9".repeat(5000)),
);
const comparison = fc
  .tuple(fields, operators, literals)
  .map(([field, operator, literal]) => `${field} ${operator} ${literal}`);

const predicate: fc.Arbitrary<string> = fc.letrec<{ p: string }>((tie) => ({
  p: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    comparison,
    fc.constantFrom("TRUEPREDICATE", "FALSEPREDICATE"),
    fc
      .tuple(tie("p"), fc.constantFrom(" AND ", " OR ", " && "), tie("p"))
      .map(([a, op, b]) => a + op + b),
    tie("p").map((p) => `NOT (${p})`),
    tie("p").map((p) => `(${p})`),
  ),
})).p;

const nested = fc
  .record({ depth: fc.constantFrom(10, 199, 201, 5000, 100_000), not: fc.boolean() })
  .map(({ depth, not }) =>
    not ? `${"!".repeat(depth)}miles > 0` : `${"(".repeat(depth)}miles > 0${")".repeat(depth)}`,
  );

const queries = fc.oneof(
  { weight: 4, arbitrary: predicate },
  { weight: 1, arbitrary: nested },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "miles > 0 SORT(miles ASC) LIMIT(5)",
      "SUBQUERY(tags, $x, $x == 'a').@count > 0",
      "ANY ownerId == 'a'",
      "x".repeat(300 * 1024),
      "miles > 0 OR ".repeat(20_000) + "miles > 0",
    ),
  },
);
const tables = fc.constantFrom("Car", "Car", "Car", "SensorReading", "Bogus");

/** Sends a subscription set; resolves with its outcome (bootstrapped, or the query error's code). */
async function subscribe(query: Record<string, string>): Promise<"bootstrapped" | number> {
  const version = ++queryVersion;
  fuzzed.send({ type: "query", session: 1, queryVersion: version, query });
  return Promise.race([
    fuzzed
      .next(
        "download",
        (d) => d.queryVersion === version && d.batchState === BatchState.LastInBatch,
      )
      .then(() => "bootstrapped" as const),
    fuzzed.next("queryError", (e) => e.queryVersion === version).then((e) => e.code),
    fatal,
  ]);
}

it("bootstraps or refuses every generated subscription with bad_query; the session and others go on", async () => {
  await fc.assert(
    fc.asyncProperty(tables, queries, async (table, query) => {
      const outcome = await subscribe({ [table]: query });
      if (outcome !== "bootstrapped") expect(outcome).toBe(SyncErrorCode.BadQuery);
      await fuzzed.mark(); // the session still answers
    }),
    fuzzParameters(40),
  );

  const writer = await t.connect(login);
  await writer.bind();
  await writer.subscribe(1, { Car: "miles >= 0" });
  const pk = new ObjectId();
  const car: Instruction[] = [
    { type: "CreateObject", table: "Car", pk },
    { type: "Update", table: "Car", pk, path: ["ownerId"], value: login.userId },
    { type: "Update", table: "Car", pk, path: ["make"], value: "Saab" },
    { type: "Update", table: "Car", pk, path: ["miles"], value: Long.fromNumber(3) },
  ];
  writer.upload(car);
  const download = await bystander.next("download", (d) => d.changesets.length > 0);
  expect(download.changesets.length).toBeGreaterThan(0);
});
