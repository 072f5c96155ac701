/**
 * Write on device A → change listener on device B: the time from the start of A's write
 * transaction to B's object listener seeing the new value, through the server (its own
 * process, SQLite store). Measured with only A and B connected, then with 98 more clients
 * subscribed to the same tasks (so every write fans out to 99 devices). Baseline: a raw `ws`
 * echo round trip to a server process on the same machine, measured in alternating rounds.
 * With `--storage postgres://…` everything is measured with the server on SQLite, then on
 * PostgreSQL.
 *
 *   npx tsx --conditions=@atoll/source bench/sync/latency.ts [rounds=300] [--storage postgres://…]
 */
import { tmpdir } from "node:os";
import WebSocket from "ws";
import type { SyncTestClient } from "../../packages/server/src/sync/test-support/SyncTestClient.js";
import { interleavedLatencies } from "../server/support.js";
import { benchCommandLine, type BenchEngine } from "../storageOption.js";
import { fmt, openLatencyProbe, percentile, startEchoServer, startSyncBench } from "./support.js";

const { args, engines } = benchCommandLine();
const ROUNDS = Number(args[0] ?? 300);
const GROUP = "latency";

const echo = await startEchoServer();
try {
  for (const engine of engines) await measureOn(engine);
} finally {
  echo.close();
}

async function measureOn(engine: BenchEngine): Promise<void> {
  const store = engine.fresh(tmpdir());
  const bench = await startSyncBench({ storage: store.spec });
  const extra: SyncTestClient[] = [];
  try {
    const probe = await openLatencyProbe(bench, GROUP);
    const writeAndWait = probe.writeAndWait;

    const socket = new WebSocket(echo.url, { perMessageDeflate: false });
    await new Promise((resolve) => socket.once("open", resolve));
    const payload = Buffer.alloc(100, 1);
    const echoRoundTrip = (): Promise<void> =>
      new Promise((resolve) => {
        socket.once("message", () => resolve());
        socket.send(payload);
      });

    const measure = async (label: string): Promise<void> => {
      const times = await interleavedLatencies({ echo: echoRoundTrip, sync: writeAndWait }, ROUNDS);
      const line = (name: string, values: number[]) =>
        `${name.padEnd(46)} p50 ${fmt(percentile(values, 50), 2)} ms  p99 ${fmt(percentile(values, 99), 2)} ms`;
      console.log(`-- ${label} (${engine.name})`);
      console.log(line("raw ws echo round trip (baseline)", times.echo));
      console.log(line("write on A -> listener on B", times.sync));
      console.log(
        `   ratio p50 ${fmt(percentile(times.sync, 50) / percentile(times.echo, 50))}x the echo`,
      );
    };

    await measure("2 devices connected");
    const token = await bench.token();
    for (let i = 0; i < 98; i++) extra.push(await bench.rawClient(GROUP, token));
    await measure(`${2 + extra.length} devices connected, all subscribed to the written task`);
    socket.close();
    probe.close();
  } finally {
    for (const client of extra) await client.close();
    await bench.close();
    await store.drop();
  }
}
