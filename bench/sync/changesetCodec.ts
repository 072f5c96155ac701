/**
 * The changeset codec in process: encode and decode of instruction-set version 2 against
 * version 1 (the baseline, measured in the same run, alternating) for three changesets:
 *   - ingest: 1000 `SensorReading`s as a device uploads them (CreateObject + 4 field Updates);
 *   - bootstrap: 1000 `Task`s as the server sends them (`instructionsForDocument`);
 *   - steady state: one Update of one field.
 * Version 1 is encoded as its encoder wrote it (`BSON.serialize({version: 1, instructions})`)
 * and decoded by `decodeChangeset`'s version-1 path. Milliseconds are medians of `rounds`.
 *
 *   npx tsx --conditions=@atoll/source bench/sync/changesetCodec.ts [rounds=200]
 */
import { decodeChangeset, encodeChangeset, type Instruction } from "@atoll/protocol";
import type { RqlSchema } from "@atoll/rql";
import { instructionsForDocument } from "../../packages/server/src/sync/documentInstructions.js";
import { BSON, ObjectId } from "bson";
import { fmt, median } from "../server/support.js";

const ROUNDS = Number(process.argv[2] ?? 200);

function ingestChangeset(objects: number): Instruction[] {
  const table = "SensorReading";
  const carId = new ObjectId();
  return Array.from({ length: objects }, (_, i): Instruction[] => {
    const pk = new ObjectId();
    return [
      { type: "CreateObject", table, pk },
      { type: "Update", table, pk, path: ["ownerId"], value: "65f0c0ffee0000000000abcd" },
      { type: "Update", table, pk, path: ["carId"], value: carId },
      {
        type: "Update",
        table,
        pk,
        path: ["timestamp"],
        value: new Date(1_800_000_000_000 + i * 1000),
      },
      { type: "Update", table, pk, path: ["value"], value: i * 0.5 },
    ];
  }).flat();
}

const taskSchema: RqlSchema = {
  Task: {
    name: "Task",
    primaryKey: "_id",
    properties: {
      _id: { name: "_id", type: "string", optional: false },
      group: { name: "group", type: "string", optional: false },
      title: { name: "title", type: "string", optional: true },
      points: { name: "points", type: "int", optional: false },
      tags: { name: "tags", type: "string", collection: "list", optional: false },
    },
  },
};

function bootstrapChangeset(objects: number): Instruction[] {
  return Array.from({ length: objects }, (_, i) =>
    instructionsForDocument(taskSchema, "Task", {
      _id: `task-${i}`,
      group: "group-1",
      title: `Task number ${i}`,
      points: i,
      tags: ["a", "b"],
    }),
  ).flat();
}

const steadyChangeset: Instruction[] = [
  { type: "Update", table: "Task", pk: "task-1", path: ["title"], value: "renamed" },
];

const encodeV1 = (instructions: readonly Instruction[]): Uint8Array =>
  BSON.serialize({ version: 1, instructions });

function time(run: () => unknown, repeat: number): number {
  const start = performance.now();
  for (let i = 0; i < repeat; i++) run();
  return (performance.now() - start) / repeat;
}

interface Figures {
  bytes: number;
  encodeMs: number;
  decodeMs: number;
}

function measure(instructions: readonly Instruction[]): { v1: Figures; v2: Figures } {
  const v1Bytes = encodeV1(instructions);
  const v2Bytes = encodeChangeset(instructions);
  // Small changesets are timed in batches, so that the clock's resolution does not matter.
  const repeat = Math.max(1, Math.ceil(2000 / instructions.length));
  const samples = {
    v1e: [] as number[],
    v1d: [] as number[],
    v2e: [] as number[],
    v2d: [] as number[],
  };
  for (let round = 0; round < ROUNDS + 20; round++) {
    const v1e = time(() => encodeV1(instructions), repeat);
    const v2e = time(() => encodeChangeset(instructions), repeat);
    const v1d = time(() => decodeChangeset(v1Bytes), repeat);
    const v2d = time(() => decodeChangeset(v2Bytes), repeat);
    if (round < 20) continue; // warm-up
    samples.v1e.push(v1e);
    samples.v2e.push(v2e);
    samples.v1d.push(v1d);
    samples.v2d.push(v2d);
  }
  return {
    v1: { bytes: v1Bytes.length, encodeMs: median(samples.v1e), decodeMs: median(samples.v1d) },
    v2: { bytes: v2Bytes.length, encodeMs: median(samples.v2e), decodeMs: median(samples.v2d) },
  };
}

const cases: [string, Instruction[]][] = [
  ["ingest, 1000 SensorReadings", ingestChangeset(1000)],
  ["bootstrap, 1000 Tasks", bootstrapChangeset(1000)],
  ["steady state, 1 Update", steadyChangeset],
];

const ms = (n: number) => (n < 0.1 ? `${fmt(n * 1000, 1)} µs` : `${fmt(n, 2)} ms`);
console.log(`changeset codec, version 2 against version 1, median of ${ROUNDS} rounds`);
console.log(
  `${"changeset".padEnd(30)} ${"bytes v1 → v2".padStart(20)} ${"encode v1 → v2".padStart(26)} ${"decode v1 → v2".padStart(26)}`,
);
for (const [name, instructions] of cases) {
  const { v1, v2 } = measure(instructions);
  const ratio = (a: number, b: number) => `${fmt(a / b)}×`;
  console.log(
    `${name.padEnd(30)} ${`${v1.bytes} → ${v2.bytes}`.padStart(20)} ${`${ms(v1.encodeMs)} → ${ms(v2.encodeMs)} ${ratio(v1.encodeMs, v2.encodeMs)}`.padStart(26)} ${`${ms(v1.decodeMs)} → ${ms(v2.decodeMs)} ${ratio(v1.decodeMs, v2.decodeMs)}`.padStart(26)}`,
  );
}
