/**
 * Bootstrap of a 100k-object subscription: the time from subscribing (a new device, an empty
 * file) to `waitForSynchronization()` resolving, with the peak resident memory of the client
 * (its own process) and of the server (its own process). Baseline: the server's store scanning
 * the same collection for the same documents (`find` through the data layer, in-process, on
 * the same store). With `--storage postgres://…` everything is measured on SQLite and again
 * on PostgreSQL.
 *
 *   npx tsx --conditions=@atoll/source bench/sync/bootstrap.ts [objects=100000] [--storage postgres://…]
 */
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AtollServer } from "@atoll/server";
import { writeSyncApp } from "../../e2e/support/faults/syncApp.js";
import { logInNewUser, openSyncedClient } from "../../e2e/support/faults/syncedClients.js";
import { benchCommandLine, type BenchEngine } from "../storageOption.js";
import { fmt, mb, memoryOf, startSyncBench } from "./support.js";

const role = process.argv[2];

if (role === "--client") {
  // A fresh process: subscribe, wait, report time and peak memory as JSON.
  const [url, appId, dir] = process.argv.slice(3) as [string, string, string];
  const user = await logInNewUser(url, appId, path.join(dir, "client-user"));
  const before = memoryOf("self");
  const start = performance.now();
  const client = await openSyncedClient({
    name: "bootstrap",
    user,
    path: path.join(dir, "client.realm"),
    groups: ["boot"],
  });
  await client.realm.subscriptions.waitForSynchronization();
  const ms = performance.now() - start;
  const count = client.realm.objects("Task").length;
  client.close();
  console.log(JSON.stringify({ ms, count, before: before.rss, peak: memoryOf("self").peak }));
  process.exit(0);
}

const { args, engines } = benchCommandLine();
const N = Number(args[0] ?? 100_000);
const app = await writeSyncApp();
try {
  console.log(`bootstrap of ${N} tasks`);
  for (const engine of engines) await measure(engine);
} finally {
  await app.remove();
}

async function measure(engine: BenchEngine): Promise<void> {
  const store = engine.fresh(tmpdir());
  // Seed the store in this process (as writes from elsewhere), and time the baseline scan.
  const seeder = await AtollServer.start({
    appDir: app.dir,
    port: 0,
    storage: store.spec,
    logLevel: "silent",
  });
  const tasks = seeder.data.system().db("cars-db").collection("Task");
  for (let start = 0; start < N; start += 10_000) {
    await tasks.insertMany(
      Array.from({ length: Math.min(10_000, N - start) }, (_, k) => ({
        _id: `boot-${start + k}`,
        group: "boot",
        title: `task ${start + k}`,
        points: 0,
        tags: ["a", "b"],
      })),
    );
  }
  const scans: number[] = [];
  for (let round = 0; round < 3; round++) {
    const start = performance.now();
    const found = await tasks.find({ group: "boot" });
    scans.push(performance.now() - start);
    if (found.length !== N) throw new Error(`scan found ${found.length}`);
  }
  await seeder.close();
  const scanMs = [...scans].sort((a, b) => a - b)[1]!;

  const bench = await startSyncBench({ app, storage: store.spec });
  try {
    const serverBefore = memoryOf(bench.server.pid);
    const self = fileURLToPath(import.meta.url);
    const output = execFileSync(
      process.execPath,
      [
        // ATOLL_BENCH_CLIENT_PROFILE=<dir>: the client process writes a CPU profile there.
        ...(process.env.ATOLL_BENCH_CLIENT_PROFILE
          ? ["--cpu-prof", `--cpu-prof-dir=${process.env.ATOLL_BENCH_CLIENT_PROFILE}`]
          : []),
        "--import",
        "tsx",
        "--conditions=@atoll/source",
        self,
        "--client",
        bench.server.url,
        bench.server.appId,
        bench.dir,
      ],
      { encoding: "utf8" },
    );
    const client = JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as {
      ms: number;
      count: number;
      before: number;
      peak: number;
    };
    const serverAfter = memoryOf(bench.server.pid);
    if (client.count !== N) throw new Error(`the client holds ${client.count} objects, not ${N}`);
    console.log(`-- ${engine.name}`);
    console.log(
      `${"server store scan, find through the data layer (baseline)".padEnd(60)} ${fmt(scanMs, 0)} ms`,
    );
    console.log(
      `${"subscribe -> waitForSynchronization on a new device".padEnd(60)} ${fmt(client.ms, 0)} ms  (${fmt(client.ms / scanMs)}x the scan)`,
    );
    console.log(`client process: rss before ${mb(client.before)}, peak ${mb(client.peak)}`);
    console.log(
      `server process: rss before ${mb(serverBefore.rss)}, after ${mb(serverAfter.rss)}, peak ${mb(serverAfter.peak)}`,
    );
  } finally {
    await bench.close();
    await store.drop();
  }
}
