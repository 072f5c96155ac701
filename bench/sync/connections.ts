/**
 * Connections one server holds. First the server's memory per idle connection: N raw protocol
 * clients (each a bound file with a subscription of its own), the server process's RSS delta
 * divided by N. Then a ramp: more idle connections step by step, and at each step the
 * write → listener latency between two real devices; the answer is the largest step whose p99
 * stays under 100 ms. Idle clients subscribe to their own groups, so writes do not fan out to
 * them (they are other users, quiet).
 *
 *   npx tsx --conditions=@atoll/source bench/sync/connections.ts [idle=500] [steps=1000,1500,2000,3000,4000] [rounds=200]
 */
import type { SyncTestClient } from "../../packages/server/src/sync/test-support/SyncTestClient.js";
import { interleavedLatencies } from "../server/support.js";
import { fmt, mb, memoryOf, openLatencyProbe, percentile, startSyncBench } from "./support.js";

const IDLE = Number(process.argv[2] ?? 500);
const STEPS = (process.argv[3] ?? "1000,1500,2000,3000,4000").split(",").map(Number);
const ROUNDS = Number(process.argv[4] ?? 200);
const LIMIT_MS = 100;

const bench = await startSyncBench();
const idle: SyncTestClient[] = [];
try {
  const token = await bench.token();
  const probe = await openLatencyProbe(bench, "probe");
  // Warm the server up (code paths, caches) before the memory baseline.
  for (let i = 0; i < 20; i++) idle.push(await bench.rawClient(`idle-${idle.length}`, token));
  await interleavedLatencies({ sync: probe.writeAndWait }, 50);
  const before = memoryOf(bench.server.pid).rss;
  const start = idle.length;
  while (idle.length < start + IDLE) idle.push(await bench.rawClient(`idle-${idle.length}`, token));
  const after = memoryOf(bench.server.pid).rss;
  console.log(
    `server memory per idle connection: ${fmt((after - before) / IDLE / 1024)} KB (rss ${mb(before)} -> ${mb(after)} with ${IDLE} more connections)`,
  );

  let best = 0;
  for (const step of STEPS.filter((s) => s > idle.length)) {
    while (idle.length < step) idle.push(await bench.rawClient(`idle-${idle.length}`, token));
    const { sync } = await interleavedLatencies({ sync: probe.writeAndWait }, ROUNDS);
    const p50 = percentile(sync, 50);
    const p99 = percentile(sync, 99);
    console.log(
      `${String(idle.length + 2).padStart(5)} connections: write -> listener p50 ${fmt(p50, 2)} ms, p99 ${fmt(p99, 2)} ms, server rss ${mb(memoryOf(bench.server.pid).rss)}`,
    );
    if (p99 >= LIMIT_MS) break;
    best = idle.length + 2;
  }
  console.log(
    `most connections with p99 under ${LIMIT_MS} ms: ${best > 0 ? best : "none of the steps"}`,
  );
  probe.close();
} finally {
  for (const client of idle) await client.close();
  await bench.close();
}
