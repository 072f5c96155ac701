/**
 * One, two and three `atoll serve` processes on one PostgreSQL schema (a fresh schema per
 * node count), driven by raw protocol devices spread evenly over the nodes:
 * - aggregate upload throughput: every device uploads `changesets` changesets (one new task
 *   each) back to back; changesets per second until the last one is acknowledged;
 * - write→listener latency: a writer uploads a title change, a listener subscribed to the task
 *   receives it; on the same node (the baseline, measured in each run) and across nodes;
 * - connections held: sync connections each node reports on /metrics at the end.
 * Needs ATOLL_PG_URL (default: the local test database).
 *
 *   npx tsx --conditions=@atoll/source bench/cluster/cluster.ts [devices=12] [changesets=100] [rounds=200]
 */
import type { Instruction } from "@atoll/protocol";
import { Long } from "bson";
import { randomBytes } from "node:crypto";
import pg from "pg";
import {
  logIn,
  syncUrl,
  SyncTestClient,
} from "../../packages/server/src/sync/test-support/SyncTestClient.js";
import { startServerProcess, type ServerProcess } from "../../e2e/support/faults/serverProcess.js";
import { writeSyncApp } from "../../e2e/support/faults/syncApp.js";
import { fmt, percentile } from "../server/support.js";

const DEVICES = Number(process.argv[2] ?? 12);
const CHANGESETS = Number(process.argv[3] ?? 100);
const ROUNDS = Number(process.argv[4] ?? 200);
const PG_URL = process.env.ATOLL_PG_URL ?? "postgres://atoll:atoll@127.0.0.1:5432/atoll_test";

function newTask(id: string, group: string): Instruction[] {
  return [
    { type: "CreateObject", table: "Task", pk: id },
    { type: "Update", table: "Task", pk: id, path: ["group"], value: group },
    { type: "Update", table: "Task", pk: id, path: ["points"], value: Long.fromNumber(0) },
    { type: "Update", table: "Task", pk: id, path: ["title"], value: "new" },
  ];
}

async function device(node: ServerProcess, group: string): Promise<SyncTestClient> {
  const { accessToken } = await logIn(node.url, node.appId);
  const client = await SyncTestClient.connect(syncUrl(node.url, node.appId), accessToken);
  await client.bind();
  await client.subscribe(1, { Task: `group == '${group}'` });
  return client;
}

/** Round-trip of a title change from `writer` to `listener` (both subscribed to `group`). */
async function latencies(
  writer: SyncTestClient,
  listener: SyncTestClient,
  group: string,
): Promise<number[]> {
  const id = `${group}-probe`;
  await writer.acknowledged(writer.upload(newTask(id, group)));
  await listener.next("download", (d) => d.changesets.length > 0);
  const out: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const title = `v${round}`;
    const start = performance.now();
    writer.upload([{ type: "Update", table: "Task", pk: id, path: ["title"], value: title }]);
    for (;;) {
      const from = listener.received.length;
      await listener.next("download", (d) => d.changesets.length > 0);
      const got = listener.downloadedInstructions(from);
      if (got.some((i) => i.type === "Update" && i.value === title)) break;
    }
    out.push(performance.now() - start);
  }
  return out;
}

async function connectionsHeld(node: ServerProcess): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  return Number(/^atoll_sync_connections (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}

const app = await writeSyncApp();
const admin = new pg.Client({ connectionString: PG_URL });
await admin.connect();
const prefix = `bench_${randomBytes(4).toString("hex")}`;
const rows: string[] = [];
try {
  let oneNodeRate = 0;
  let sameNodeP50 = 0;
  for (const count of [1, 2, 3]) {
    const schema = `${prefix}_${count}`;
    const url = new URL(PG_URL);
    url.searchParams.set("schema", schema);
    const nodes: ServerProcess[] = [];
    nodes.push(await startServerProcess({ appDir: app.dir, storage: url.toString() }));
    for (let i = 1; i < count; i++)
      nodes.push(await startServerProcess({ appDir: app.dir, storage: url.toString() }));
    try {
      const devices = await Promise.all(
        Array.from({ length: DEVICES }, (_, i) => device(nodes[i % count]!, `up-${i}`)),
      );
      const start = performance.now();
      await Promise.all(
        devices.map(async (client, d) => {
          let last = 0;
          for (let c = 0; c < CHANGESETS; c++)
            last = client.upload(newTask(`t${d}-${c}`, `up-${d}`));
          await client.acknowledged(last);
        }),
      );
      const rate = (DEVICES * CHANGESETS) / ((performance.now() - start) / 1000);
      if (count === 1) oneNodeRate = rate;
      const held = await Promise.all(nodes.map(connectionsHeld));

      const same = await latencies(
        await device(nodes[0]!, "lat-same"),
        await device(nodes[0]!, "lat-same"),
        "lat-same",
      );
      const sameP50 = percentile(same, 50);
      if (count === 1) sameNodeP50 = sameP50;
      const cross =
        count > 1
          ? await latencies(
              await device(nodes[0]!, "lat-cross"),
              await device(nodes[1]!, "lat-cross"),
              "lat-cross",
            )
          : undefined;
      rows.push(
        [
          `${count} node${count > 1 ? "s" : " "}`,
          `${fmt(rate, 0).padStart(6)} changesets/s (${fmt(rate / oneNodeRate)}x one node)`,
          `same node p50/p99 ${fmt(sameP50)}/${fmt(percentile(same, 99))} ms`,
          cross === undefined
            ? "cross-node            —"
            : `cross-node p50/p99 ${fmt(percentile(cross, 50))}/${fmt(percentile(cross, 99))} ms (${fmt(percentile(cross, 50) / sameNodeP50)}x one node's p50)`,
          `connections held ${held.join("+")}`,
        ].join(" | "),
      );
      for (const client of devices) await client.close();
    } finally {
      await Promise.all(nodes.map((node) => node.stop()));
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  }
  console.log(`${DEVICES} devices x ${CHANGESETS} changesets; ${ROUNDS} latency rounds`);
  for (const row of rows) console.log(row);
} finally {
  await admin.end();
  await app.remove();
}
