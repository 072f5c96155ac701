/**
 * Data ingest's fast paths (fresh inserts into asymmetric tables, no merge metadata, judged
 * without a read) against the general merge path as the oracle. Generated uploads from two
 * files mix readings (fresh, re-created by their own file, written by a role that may not,
 * re-uploaded) with cars, are judged and integrated as a session does, and go through three
 * histories: one where readings are asymmetric and presumed absent when created, one where
 * they are asymmetric and read, one where they are an ordinary synced table. All must store
 * the same documents and answer with the same corrections and rejections. Every entry `integrate` returns must
 * equal the entry read back from storage: the entry cache serves it as built.
 */
import type { Instruction } from "@atoll/protocol";
import { bindQuery, type RqlSchema } from "@atoll/rql";
import { Long, ObjectId } from "bson";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { openStorage } from "../../storage/openStorage.js";
import { instructionsForDocument } from "../documentInstructions.js";
import { SessionPermissions } from "../permissions/SessionPermissions.js";
import type { SyncModel } from "../syncSchema.js";
import { carSchema, ownerReadWrite, ruleContextForUser } from "../test-support/carsFixture.js";
import { erase } from "../service/entryForSession.js";
import { judgeAndIntegrate } from "../service/integrateChangeset.js";
import { SyncHistory } from "./SyncHistory.js";

const schema: RqlSchema = {
  ...carSchema,
  SensorReading: {
    name: "SensorReading",
    primaryKey: "_id",
    properties: {
      _id: { name: "_id", type: "objectId", optional: false },
      ownerId: { name: "ownerId", type: "string", optional: false },
      value: { name: "value", type: "double", optional: true },
      count: { name: "count", type: "int", optional: true },
    },
  },
};

function modelWith(asymmetric: boolean): SyncModel {
  return {
    schema,
    tables: new Map([
      ["Car", { name: "Car", database: "cars-db", collection: "Car", asymmetric: false }],
      [
        "SensorReading",
        { name: "SensorReading", database: "cars-db", collection: "SensorReading", asymmetric },
      ],
    ]),
  };
}

const USERS = ["ann", "bob"] as const;
const readingIds = Array.from({ length: 4 }, () => new ObjectId());
const carIds = Array.from({ length: 3 }, () => new ObjectId());

type Write =
  | { kind: "reading"; id: number; owner: number; value: number; count?: number }
  | { kind: "car"; id: number; owner: number; miles: number; create: boolean };

const write: fc.Arbitrary<Write> = fc.oneof(
  fc.record(
    {
      kind: fc.constant("reading" as const),
      id: fc.nat(readingIds.length - 1),
      owner: fc.nat(1),
      value: fc.double({ noNaN: true, noDefaultInfinity: true }),
      count: fc.integer({ min: -5, max: 5 }),
    },
    { requiredKeys: ["kind", "id", "owner", "value"] },
  ),
  fc.record({
    kind: fc.constant("car" as const),
    id: fc.nat(carIds.length - 1),
    owner: fc.nat(1),
    miles: fc.nat(200),
    create: fc.boolean(),
  }),
);

/** One upload: by which user, based on how far back, with which writes; sometimes sent twice. */
const upload = fc.record({
  user: fc.nat(1),
  staleness: fc.nat(3),
  writes: fc.array(write, { minLength: 1, maxLength: 6 }),
  resend: fc.boolean(),
});

function instructionsOf(w: Write): Instruction[] {
  if (w.kind === "reading") {
    const pk = readingIds[w.id]!;
    const table = "SensorReading";
    return [
      { type: "CreateObject", table, pk },
      { type: "Update", table, pk, path: ["ownerId"], value: USERS[w.owner]! },
      { type: "Update", table, pk, path: ["value"], value: w.value },
      ...(w.count === undefined
        ? []
        : [{ type: "AddInteger", table, pk, path: ["count"], value: Long.fromNumber(w.count) }]),
    ] as Instruction[];
  }
  const pk = carIds[w.id]!;
  const table = "Car";
  return [
    ...(w.create
      ? ([
          { type: "CreateObject", table, pk },
          { type: "Update", table, pk, path: ["ownerId"], value: USERS[w.owner]! },
          { type: "Update", table, pk, path: ["make"], value: "Kia" },
        ] as Instruction[])
      : []),
    { type: "Update", table, pk, path: ["miles"], value: Long.fromNumber(w.miles) },
  ];
}

/**
 * Readings are created by their own file only (a reading's pk belongs to one user's pool of
 * writes here): a duplicate from another file that had not seen it is where the paths differ
 * by design (see freshInserts).
 */
function ownReadings(user: number, writes: Write[]): Write[] {
  return writes.filter((w) => w.kind !== "reading" || w.id % 2 === user);
}

interface UploadCase {
  readonly user: number;
  readonly staleness: number;
  readonly writes: Write[];
  readonly resend: boolean;
}

/** How readings are integrated. */
type Mode = "presumed" | "read" | "synced";

async function run(mode: Mode, uploads: readonly UploadCase[]) {
  const storage = await openStorage("memory");
  try {
    const model = modelWith(mode !== "synced");
    const history = new SyncHistory(storage, model);
    const rules = new Map([
      ["Car", ownerReadWrite],
      ["SensorReading", ownerReadWrite],
    ]);
    const sessions = await Promise.all(
      USERS.map(async (user) => ({
        file: (await history.allocateFileIdent(user)).ident,
        permissions: await SessionPermissions.start(rules, ruleContextForUser(user)),
        clientVersion: 0,
      })),
    );
    const queries = new Map([["Car", [bindQuery("miles < 150", schema, "Car", [])]]]);
    const outcomes: unknown[] = [];
    for (const { user, staleness, writes, resend } of uploads) {
      const session = sessions[user]!;
      const instructions = ownReadings(user, writes).flatMap(instructionsOf);
      if (instructions.length === 0) continue;
      const clientVersion = ++session.clientVersion;
      const latest = await history.latestVersion();
      for (let send = 0; send < (resend ? 2 : 1); send++) {
        const { rejected, result } = await judgeAndIntegrate(
          history,
          {
            fileIdent: session.file,
            permissions: session.permissions,
            queries,
            restore: (table, pk, after) =>
              after === undefined
                ? [erase(table, pk)]
                : instructionsForDocument(schema, table, after),
          },
          {
            clientVersion,
            writer: {
              ts: 1000 + outcomes.length,
              ident: session.file,
              baseVersion: Math.max(0, latest - staleness),
            },
            instructions,
          },
          { viewless: new Set(["SensorReading"]), presume: mode === "presumed" },
        );
        if (result.entry !== undefined) {
          const [stored] = await history.entriesSince(result.entry.version - 1, 1);
          expect(result.entry).toEqual(stored);
        }
        outcomes.push({
          version: result.version,
          corrections: result.corrections,
          rejected,
        });
      }
    }
    const documents = async (coll: string) =>
      (await storage.scan({ db: "cars-db", coll })).map((s) => s.doc);
    return {
      outcomes,
      readings: await documents("SensorReading"),
      cars: await documents("Car"),
    };
  } finally {
    await storage.close();
  }
}

describe("data ingest without merging", () => {
  it("stores, corrects and rejects as the general merge path does (generated uploads)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(upload, { minLength: 1, maxLength: 8 }), async (uploads) => {
        const merged = await run("synced", uploads);
        expect(await run("read", uploads)).toEqual(merged);
        expect(await run("presumed", uploads)).toEqual(merged);
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});
