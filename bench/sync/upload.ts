/**
 * Sustained upload: objects per second from the first write until the server acknowledged
 * them all (`uploadAllLocalChanges`), from one device and from ten writing at once (server in
 * its own process, SQLite store). Writes are transactions of `batch` new tasks each. Baseline:
 * the same transactions on a local realm without sync. With `--storage postgres://…` the
 * device figures are measured on a server over SQLite and on one over PostgreSQL.
 *
 *   npx tsx --conditions=@atoll/source bench/sync/upload.ts [objects=20000] [batch=100] [--storage postgres://…]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Realm } from "@atoll/client";
import { TaskSchema } from "../../e2e/support/faults/syncApp.js";
import { openSyncedClient } from "../../e2e/support/faults/syncedClients.js";
import { benchCommandLine } from "../storageOption.js";
import { fmt, startSyncBench } from "./support.js";

const { args, engines } = benchCommandLine();
const OBJECTS = Number(args[0] ?? 20_000);
const BATCH = Number(args[1] ?? 100);

function writeTasks(realm: Realm, prefix: string, count: number): void {
  for (let start = 0; start < count; start += BATCH) {
    realm.write(() => {
      for (let i = start; i < Math.min(count, start + BATCH); i++)
        realm.create("Task", {
          _id: `${prefix}-${i}`,
          group: prefix,
          title: `task ${i}`,
          points: 0,
          tags: [],
        });
    });
  }
}

const localDir = await mkdtemp(path.join(tmpdir(), "atoll-bench-upload-"));
const local = new Realm({ schema: [TaskSchema], path: path.join(localDir, "local.realm") });
let start = performance.now();
writeTasks(local, "local", OBJECTS);
const localRate = OBJECTS / ((performance.now() - start) / 1000);
local.close();
await rm(localDir, { recursive: true, force: true });
console.log(`${OBJECTS} objects in transactions of ${BATCH}`);
console.log(
  `${"local realm, no sync (baseline)".padEnd(44)} ${fmt(localRate, 0).padStart(8)} objects/s`,
);

for (const engine of engines) {
  const store = engine.fresh(tmpdir());
  const bench = await startSyncBench({ storage: store.spec });
  try {
    const rates: Record<string, number> = {};
    for (const devices of [1, 10]) {
      const clients = await Promise.all(
        Array.from({ length: devices }, async (_, i) =>
          openSyncedClient({
            name: `d${devices}-${i}`,
            user: await bench.newUser(),
            path: `${bench.dir}/d${devices}-${i}.realm`,
            groups: [`up-${devices}-${i}`],
          }),
        ),
      );
      const each = Math.floor(OBJECTS / devices);
      start = performance.now();
      for (const [i, client] of clients.entries())
        writeTasks(client.realm, `up-${devices}-${i}`, each);
      await Promise.all(clients.map((client) => client.realm.syncSession!.uploadAllLocalChanges()));
      rates[devices] = (each * devices) / ((performance.now() - start) / 1000);
      for (const client of clients) client.close();
    }
    const row = (label: string, rate: number) =>
      `${`${label} (${engine.name})`.padEnd(44)} ${fmt(rate, 0).padStart(8)} objects/s  (${fmt(localRate / rate)}x slower than local)`;
    console.log(row("1 device, acknowledged", rates[1]!));
    console.log(row("10 devices at once, acknowledged", rates[10]!));
  } finally {
    await bench.close();
    await store.drop();
  }
}
