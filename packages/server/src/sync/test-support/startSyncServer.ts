/**
 * Starts a real AtollServer for sync tests: the cars example (or another app), a SQLite file
 * in a fresh temp directory (or a PostgreSQL schema: `testServerStorage`), a free port, silent
 * console. `connect` logs in and opens a raw
 * sync connection; `restart` closes the server and starts it again on the same file; `stop`
 * closes the server and removes the directory.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AtollServer, type AtollServerOptions } from "../../AtollServer.js";
import { CARS_APP_DIR } from "../../config/test-support/appFixture.js";
import { testServerStorage } from "../../storage/test-support/postgresSchemas.js";
import { logIn, syncUrl, SyncTestClient, type TestLogin } from "./SyncTestClient.js";

export { CARS_APP_DIR };

export interface SyncTestServer {
  readonly server: AtollServer;
  readonly dir: string;
  /** The storage spec the server runs on (what another process would open). */
  readonly storage: string;
  readonly syncUrl: string;
  logIn(credentials?: { email: string; password: string }): Promise<TestLogin>;
  connect(login: TestLogin): Promise<SyncTestClient>;
  /** Closes the server and its clients, then starts it again on the same SQLite file. */
  restart(): Promise<SyncTestServer>;
  stop(): Promise<void>;
}

export function startSyncServer(
  options: Partial<AtollServerOptions> = {},
): Promise<SyncTestServer> {
  return startIn(mkdtempSync(join(tmpdir(), "atoll-sync-")), options);
}

async function startIn(
  dir: string,
  options: Partial<AtollServerOptions>,
  storage = testServerStorage(join(dir, "app.db")),
): Promise<SyncTestServer> {
  const server = await AtollServer.start({
    appDir: CARS_APP_DIR,
    port: 0,
    storage: storage.spec,
    logLevel: "silent",
    ...options,
  });
  const url = syncUrl(server.url, server.appId);
  const clients: SyncTestClient[] = [];
  return {
    server,
    dir,
    storage: storage.spec,
    syncUrl: url,
    logIn: (credentials) => logIn(server.url, server.appId, credentials ?? "anonymous"),
    connect: async (login) => {
      const client = await SyncTestClient.connect(url, login.accessToken);
      clients.push(client);
      return client;
    },
    restart: async () => {
      await Promise.all(clients.map((c) => c.close()));
      await server.close();
      return startIn(dir, options, storage);
    },
    stop: async () => {
      await Promise.all(clients.map((c) => c.close()));
      await server.close();
      await storage.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
