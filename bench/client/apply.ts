/**
 * Applying a download: a 100k-object bootstrap (one CreateObject and five Updates per object) in
 * one `integrate` call, against creating the same objects through `realm.write` in the same run.
 * Rounds alternate (integrate, write, integrate, …) and medians are reported. Also measured: a
 * small download rebased over pending local changesets (undo, apply, redo).
 *
 *   npx tsx --conditions=@atoll/source bench/client/apply.ts [objects=100000] [rounds=3]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Long } from "bson";
import type { Instruction } from "@atoll/protocol";
import { Realm } from "@atoll/client";
import type { ObjectSchema } from "@atoll/client";
import { localSyncStateFor } from "../../packages/client/src/sync/local/LocalSyncState.js";
import type { Database } from "../../packages/client/src/core/Database.js";

const N = Number(process.argv[2] ?? 100_000);
const ROUNDS = Number(process.argv[3] ?? 3);
const dir = mkdtempSync(join(tmpdir(), "atoll-bench-apply-"));

const schema: ObjectSchema[] = [
  {
    name: "Person",
    primaryKey: "id",
    properties: {
      id: "int",
      name: "string",
      age: { type: "int", indexed: true },
      score: "double",
      city: "string",
      active: "bool",
    },
  },
];
const person = (id: number) => ({
  id,
  name: `person ${id}`,
  age: id % 100,
  score: ((id * 7919) % 1000) / 1000,
  city: `city ${id % 50}`,
  active: id % 2 === 0,
});

function bootstrap(): Instruction[] {
  const instructions: Instruction[] = [];
  for (let id = 0; id < N; id++) {
    const p = person(id);
    const at = { table: "Person", pk: Long.fromNumber(id) };
    instructions.push(
      { type: "CreateObject", ...at },
      { type: "Update", ...at, path: ["name"], value: p.name },
      { type: "Update", ...at, path: ["age"], value: Long.fromNumber(p.age) },
      { type: "Update", ...at, path: ["score"], value: p.score },
      { type: "Update", ...at, path: ["city"], value: p.city },
      { type: "Update", ...at, path: ["active"], value: p.active },
    );
  }
  return instructions;
}

const databaseOf = (realm: Realm): Database =>
  (realm as unknown as { context: { db: Database } }).context.db;
const sync = { flexible: true } as const;

function ms(fn: () => unknown): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}
const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[values.length >> 1] ?? NaN;

const instructions = bootstrap();
const integrated: number[] = [];
const written: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const target = new Realm({ path: join(dir, `apply-${round}.realm`), schema, sync });
  const state = localSyncStateFor(databaseOf(target));
  integrated.push(
    ms(() =>
      state.integrate({
        changesets: [
          {
            serverVersion: 1,
            lastIntegratedClientVersion: 0,
            originFileIdent: 1,
            originTimestamp: Date.now(),
            instructions,
          },
        ],
        uploadAcknowledged: 0,
      }),
    ),
  );
  if (target.objects("Person").length !== N) throw new Error("bootstrap incomplete");
  target.close();
  // Not synced: a synced write of this size is one changeset larger than BSON's 16 MB buffer.
  const local = new Realm({ path: join(dir, `write-${round}.realm`), schema });
  written.push(
    ms(() =>
      local.write(() => {
        for (let id = 0; id < N; id++) local.create("Person", person(id));
      }),
    ),
  );
  local.close();
}

// A small download over 100 pending local changesets on the same objects: undo, apply, redo.
const rebased = new Realm({ path: join(dir, "apply-0.realm"), schema, sync });
const state = localSyncStateFor(databaseOf(rebased));
for (let i = 0; i < 100; i++) {
  rebased.write(() => rebased.create("Person", { ...person(i), name: `local ${i}` }, true));
}
const rebaseMs = ms(() =>
  state.integrate({
    changesets: [
      {
        serverVersion: 2,
        lastIntegratedClientVersion: 0,
        originFileIdent: 2,
        originTimestamp: Date.now(),
        instructions: Array.from({ length: 100 }, (_, i) => ({
          type: "Update" as const,
          table: "Person",
          pk: Long.fromNumber(i),
          path: ["score"],
          value: 0.5,
        })),
      },
    ],
    uploadAcknowledged: 0,
  }),
);
rebased.close();
rmSync(dir, { recursive: true, force: true });

const apply = median(integrated);
const write = median(written);
const rate = (t: number): string => `${Math.round(N / (t / 1000)).toLocaleString("en")} objects/s`;
console.log(`| measure | integrate | realm.write | ratio |`);
console.log(`|---|---|---|---|`);
console.log(
  `| bootstrap of ${N.toLocaleString("en")} objects (6 instructions each) | ${apply.toFixed(0)} ms (${rate(apply)}) | ${write.toFixed(0)} ms (${rate(write)}) | ${(apply / write).toFixed(2)}× |`,
);
console.log(
  `| 100-update download over 100 pending changesets | ${rebaseMs.toFixed(1)} ms | — | — |`,
);
