/**
 * A real AtollServer for client tests: an app export (examples/cars unless told otherwise)
 * served on a free port over a SQLite file in a fresh temporary directory. `useAppServer`
 * starts one for a test file and stops it afterwards. With ATOLL_E2E_STORAGE=postgres (and
 * ATOLL_PG_URL) a server that is not given a file stores into a PostgreSQL schema of its own
 * instead, dropped when it stops: the same tests then run the server on PostgreSQL.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AtollServer } from "@atoll/server";
import type { AtollServerOptions } from "@atoll/server";
import { afterAll, beforeAll } from "vitest";
import { testServerStorage } from "../../../server/src/storage/test-support/postgresSchemas.js";

/** The repository's examples/cars app (custom user data, `writeCustomUserData`, Car rules). */
export const CARS_APP_DIR = fileURLToPath(new URL("../../../../examples/cars", import.meta.url));

/** The server's HTTP test app: every auth provider, confirmation/reset functions, `sum`, `whoAmI`. */
export const FULL_APP_DIR = fileURLToPath(
  new URL("../../../server/src/http/test-apps/full", import.meta.url),
);

export interface TestAppServer {
  readonly url: string;
  readonly appId: string;
  readonly server: AtollServer;
  /** The SQLite file the server stores into (it survives `stop`, until the test files end). */
  readonly storageFile: string;
  stop(): Promise<void>;
}

export async function startAppServer(
  options: Partial<AtollServerOptions> & { storageFile?: string } = {},
): Promise<TestAppServer> {
  const dir = mkdtempSync(join(tmpdir(), "atoll-client-server-"));
  const storageFile = options.storageFile ?? join(dir, "server.sqlite");
  const storage = options.storageFile === undefined ? testServerStorage(storageFile) : undefined;
  const server = await AtollServer.start({
    appDir: CARS_APP_DIR,
    port: 0,
    logLevel: "silent",
    functionTimeoutMs: 10_000,
    ...options,
    storage: storage?.spec ?? `sqlite:${storageFile}`,
  });
  let stopped = false;
  return {
    url: server.url,
    appId: server.appId,
    server,
    storageFile,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      await storage?.drop();
      if (options.storageFile === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts a server before the test file's tests and stops it after them. */
export function useAppServer(options: Partial<AtollServerOptions> = {}): () => TestAppServer {
  let started: TestAppServer | undefined;
  beforeAll(async () => {
    started = await startAppServer(options);
  });
  afterAll(async () => {
    await started?.stop();
  });
  return () => {
    if (started === undefined) throw new Error("the test server has not started yet");
    return started;
  };
}
