import { InvalidArgumentError, type Command } from "commander";
import { AtollServer } from "../AtollServer.js";
import { loadAppConfig } from "../config/loadAppConfig.js";
import { createConsoleLogger, type LogLevel } from "../logs/consoleLogger.js";
import { parseSyncLimit, type SyncLimits } from "../sync/upload/syncLimits.js";
import {
  defaultStorageSpec,
  parseLogLevel,
  parsePort,
  parsePositiveInt,
  parseStorageSpec,
} from "./options.js";
import { runCommand } from "./runCommand.js";

interface ServeOptions {
  app: string;
  port: number;
  host: string;
  storage?: string;
  functionTimeout: number;
  logLevel: LogLevel;
  syncLimit: Partial<SyncLimits>;
}

export function addServeCommand(program: Command): void {
  program
    .command("serve")
    .description("serve an App Services app export over the App Services client HTTP API")
    .option("--app <dir>", "the app export directory", ".")
    .option("--port <n>", "port to listen on (0 picks a free port)", parsePort, 8080)
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option(
      "--storage <spec>",
      "sqlite:<file> or memory (default sqlite:./data/<appId>.db)",
      parseStorageSpec,
    )
    .option(
      "--function-timeout <ms>",
      "wall-time limit of one function call",
      parsePositiveInt,
      300_000,
    )
    .option("--log-level <level>", "debug, info, warn, error or silent", parseLogLevel, "info")
    .option(
      "--sync-limit <name=value>",
      "a bound on sync uploads over its default, e.g. maxListLength=200000 (repeatable; see docs/security.md)",
      cliSyncLimit,
      {},
    )
    .action((options: ServeOptions) => runCommand(() => serve(options)));
}

async function serve(options: ServeOptions): Promise<void> {
  const logger = createConsoleLogger(options.logLevel);
  // Loaded here first so a broken export fails before any storage is opened or created.
  const config = await loadAppConfig(options.app);
  const storage = options.storage ?? defaultStorageSpec(config.appId);
  const server = await AtollServer.start({
    appDir: options.app,
    port: options.port,
    host: options.host,
    storage,
    functionTimeoutMs: options.functionTimeout,
    logLevel: options.logLevel,
    sync: { limits: options.syncLimit },
  });
  // The first line is a contract: scripts and tests wait for it. One write, so that a reader
  // that sees it also sees the hints.
  process.stdout.write(
    [
      `Atoll listening on ${server.url} (app ${server.appId})`,
      `  storage:   ${storage}`,
      `  location:  ${server.url}/api/client/v2.0/app/${server.appId}/location`,
      `  try it:    curl ${server.url}/api/client/v2.0/app/${server.appId}/location`,
      `  realm-web: new Realm.App({ id: "${server.appId}", baseUrl: "${server.url}" })`,
      "",
    ].join("\n"),
  );
  if (options.logLevel !== "error" && options.logLevel !== "silent") {
    for (const note of config.unsupported ?? []) process.stderr.write(`atoll: warning: ${note}\n`);
  }
  logger.info({ url: server.url, appId: server.appId, storage }, "server started");
  await untilSignalled();
  logger.info("shutting down");
  await server.close();
  logger.info("stopped");
}

function cliSyncLimit(text: string, previous: Partial<SyncLimits>): Partial<SyncLimits> {
  try {
    return parseSyncLimit(text, previous);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** Resolves on the first SIGTERM or SIGINT; a second one exits at once. */
function untilSignalled(): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (): void => {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      process.once("SIGTERM", () => process.exit(130));
      process.once("SIGINT", () => process.exit(130));
      resolve();
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}
