/**
 * Two nodes in one process on one PostgreSQL schema: each server opens its own engine (its own
 * pool and LISTEN connection), as separate processes do.
 */
import { AtollServer } from "../AtollServer.js";
import { CARS_APP_DIR } from "../config/test-support/appFixture.js";
import { openStorage } from "../storage/openStorage.js";
import type { StorageEngine } from "../storage/StorageEngine.js";
import { PostgresSchemas } from "../storage/test-support/postgresSchemas.js";
import { describeAcrossNodes } from "./test-support/describeAcrossNodes.js";

const schemas = new PostgresSchemas();
let inspector: StorageEngine | undefined;
let servers: AtollServer[] = [];

describeAcrossNodes("PostgreSQL, an engine per node", {
  start: async (count, options) => {
    const spec = schemas.spec("nodes");
    for (let i = 0; i < count; i++)
      servers.push(
        await AtollServer.start({
          appDir: CARS_APP_DIR,
          port: 0,
          logLevel: "silent",
          ...options,
          storage: spec,
        }),
      );
    inspector = await openStorage(spec);
    return servers;
  },
  engine: () => {
    if (inspector === undefined) throw new Error("not started");
    return inspector;
  },
  stop: async () => {
    for (const server of servers) await server.close();
    servers = [];
    await inspector?.close();
    await schemas.dropAll();
  },
});
