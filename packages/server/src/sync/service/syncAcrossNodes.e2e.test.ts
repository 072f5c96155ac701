/**
 * Two nodes in one process on one SQLite store: the servers share one engine instance, so
 * each sees the other's batches and wake-ups as nodes on one PostgreSQL database do.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AtollServer } from "../../AtollServer.js";
import { describeAcrossNodes } from "../../cluster/test-support/describeAcrossNodes.js";
import { CARS_APP_DIR } from "../../config/test-support/appFixture.js";
import { openStorage } from "../../storage/openStorage.js";
import type { StorageEngine } from "../../storage/StorageEngine.js";

const dir = mkdtempSync(join(tmpdir(), "atoll-nodes-"));
let engine: StorageEngine | undefined;
let servers: AtollServer[] = [];

describeAcrossNodes("SQLite, one engine shared", {
  start: async (count, options) => {
    const shared = await openStorage(`sqlite:${join(dir, "app.db")}`);
    engine = shared;
    for (let i = 0; i < count; i++)
      servers.push(
        await AtollServer.start({
          appDir: CARS_APP_DIR,
          port: 0,
          logLevel: "silent",
          ...options,
          storageEngine: shared,
        }),
      );
    return servers;
  },
  engine: () => {
    if (engine === undefined) throw new Error("not started");
    return engine;
  },
  stop: async () => {
    for (const server of servers) await server.close();
    servers = [];
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  },
});
