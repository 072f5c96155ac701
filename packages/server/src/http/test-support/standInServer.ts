/**
 * An HTTP API server over stand-ins (in-memory data, a function runner with a few hand-written
 * functions) for tests that exercise HTTP and auth on their own, over real HTTP on a free port.
 * End-to-end tests use AtollServer with the real data layer and sandbox instead.
 */
import { AppError } from "@atoll/protocol";
import { afterAll, afterEach, beforeAll, vi } from "vitest";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AuthService } from "../../auth/AuthService.js";
import type { FunctionRunner } from "../../auth/FunctionRunner.js";
import type { UserContext } from "../../callerContext.js";
import { loadAppConfig } from "../../config/loadAppConfig.js";
import type { AppConfig } from "../../config/types.js";
import { createHttpApp } from "../createHttpApp.js";
import { listen } from "../listen.js";
import { ServerLog, SILENT_CONSOLE } from "../ServerLog.js";
import type { LogEntry } from "../../logs/LogEntry.js";
import { MemoryDataService } from "./memoryDataService.js";
import { RawClient } from "./rawClient.js";

export const TEST_APP_DIR = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "test-apps",
  "full",
);

type Implementation = (args: unknown[], user: UserContext) => unknown;

const IMPLEMENTATIONS: Readonly<Record<string, Implementation>> = {
  sum: ([a, b]) => (a as number) + (b as number),
  boom: () => {
    throw new AppError("FunctionExecutionError", "boom: the function failed on purpose");
  },
  secretRecipe: () => "only other functions may ask",
  whoAmI: (_args, user) => ({ id: user.id }),
  onUserCreation: () => undefined,
};

class StandInFunctions implements FunctionRunner {
  constructor(private readonly config: AppConfig) {}

  async execute(name: string, args: unknown[], user: UserContext): Promise<unknown> {
    const implementation = IMPLEMENTATIONS[name];
    if (implementation === undefined)
      throw new AppError("FunctionNotFound", `function not found: '${name}'`);
    return implementation(args, user);
  }

  async callFromClient(
    name: string,
    args: unknown[],
    user: UserContext,
  ): Promise<{ result: unknown; logs: string[] }> {
    if (this.config.functions.get(name)?.private !== false)
      throw new AppError("FunctionNotFound", `function not found: '${name}'`);
    return { result: await this.execute(name, args, user), logs: [] };
  }
}

export interface StandInServer {
  readonly url: string;
  readonly api: string;
  readonly appId: string;
  readonly data: MemoryDataService;
  readonly auth: AuthService;
  readonly logEntries: LogEntry[];
  close(): Promise<void>;
}

export async function startStandInServer(
  options: { bodyLimitBytes?: number; allowedRequestOrigins?: string[] } = {},
): Promise<StandInServer> {
  const loaded = await loadAppConfig(TEST_APP_DIR);
  const config =
    options.allowedRequestOrigins === undefined
      ? loaded
      : { ...loaded, allowedRequestOrigins: options.allowedRequestOrigins };
  const data = new MemoryDataService();
  const logEntries: LogEntry[] = [];
  const log = new ServerLog(
    { append: async (entry) => void logEntries.push(entry) },
    SILENT_CONSOLE,
  );
  const functions = new StandInFunctions(config);
  const auth = await AuthService.create({
    config,
    system: data,
    functions,
    deliverLink: () => undefined,
  });
  const app = createHttpApp({
    config,
    auth,
    data: { forUser: () => data },
    functions,
    log,
    ...(options.bodyLimitBytes === undefined ? {} : { bodyLimitBytes: options.bodyLimitBytes }),
  });
  const listening = await listen(app.fetch, 0, "127.0.0.1");
  return {
    url: listening.url,
    api: `${listening.url}/api/client/v2.0`,
    appId: config.appId,
    data,
    auth,
    logEntries,
    close: () => listening.close(),
  };
}

/**
 * A stand-in server for the test file with a raw client on it, closed after the file; mocked
 * time is undone after each test.
 */
export function useStandInServer(): { readonly server: StandInServer; readonly client: RawClient } {
  let server: StandInServer | undefined;
  let client: RawClient | undefined;
  beforeAll(async () => {
    server = await startStandInServer();
    client = new RawClient(server);
  });
  afterAll(() => server?.close());
  afterEach(() => {
    vi.useRealTimers();
  });
  return {
    get server() {
      if (!server) throw new Error("the stand-in server is started in beforeAll");
      return server;
    },
    get client() {
      if (!client) throw new Error("the stand-in server is started in beforeAll");
      return client;
    },
  };
}
