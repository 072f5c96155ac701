import { Option, type Command } from "commander";
import { AtollServer } from "../AtollServer.js";
import { DEFAULT_BODY_DEPTH_LIMIT, DEFAULT_BODY_LIMIT_BYTES } from "../http/body.js";
import type { AppConfig } from "../config/types.js";
import type { Logger } from "pino";
import { DEFAULT_QUERY_LIMITS } from "../data/queryLimits.js";
import { parseAuthThrottle, type AuthThrottleLimits } from "../auth/AuthThrottle.js";
import { parseOAuthJwks, type OAuthProviderType } from "../auth/providers/oauthIdToken.js";
import { ENVIRONMENTS } from "../config/rootConfig.js";
import { parseHttpAllow } from "../functions/functionHttp.js";
import { loadAppConfig } from "../config/loadAppConfig.js";
import { mailSettingNotes, type AccountMailOptions } from "../mail/accountLinkDelivery.js";
import { createConsoleLogger, type LogLevel } from "../logs/consoleLogger.js";
import { parseSyncLimit, type SyncLimits } from "../sync/upload/syncLimits.js";
import { displayStorageSpec } from "../storage/openStorage.js";
import {
  asOptionParser,
  defaultStorageSpec,
  parseLogLevel,
  parsePort,
  parsePositiveInt,
  parseStorageSpec,
} from "./options.js";
import { runCommand } from "./runCommand.js";
import { shutdownRequested, untilShutdown } from "./shutdownSignals.js";

interface ServeOptions {
  app: string;
  port: number;
  host: string;
  storage?: string;
  functionTimeout: number;
  queryTimeout: number;
  queryMemory: number;
  queryWorkers: number;
  logLevel: LogLevel;
  trustProxy: boolean;
  bodyLimit: number;
  bodyDepthLimit: number;
  smtpUrl?: string;
  smtpFrom?: string;
  devPrintAuthLinks?: boolean;
  authThrottle?: AuthThrottleLimits;
  syncLimit: Partial<SyncLimits>;
  environment?: string;
  oauthJwks: Partial<Record<OAuthProviderType, string>>;
  functionsHttpAllow: string[];
  drainTimeout: number;
}

/** How long a stopping node waits for the HTTP requests under way (see docs/deploy.md). */
const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;

export function addServeCommand(program: Command): void {
  program
    .command("serve")
    .description("serve an App Services app export over the App Services client HTTP API")
    .option("--app <dir>", "the app export directory", ".")
    .option("--port <n>", "port to listen on (0 picks a free port)", parsePort, 8080)
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option(
      "--storage <spec>",
      "sqlite:<file>, memory or postgres://user:pass@host:port/db[?schema=name] (default sqlite:./data/<appId>.db)",
      parseStorageSpec,
    )
    .option(
      "--function-timeout <ms>",
      "wall-time limit of one function call",
      parsePositiveInt,
      300_000,
    )
    .option(
      "--query-timeout <ms>",
      "wall-time limit of one data-API pipeline or computed projection",
      parsePositiveInt,
      DEFAULT_QUERY_LIMITS.timeoutMs,
    )
    .option(
      "--query-memory <mb>",
      "heap limit of one data-API query worker, in MB",
      parsePositiveInt,
      DEFAULT_QUERY_LIMITS.workerMemoryMb,
    )
    .option(
      "--query-workers <n>",
      "data-API pipelines evaluated at once",
      parsePositiveInt,
      DEFAULT_QUERY_LIMITS.workers,
    )
    .option("--log-level <level>", "debug, info, warn, error or silent", parseLogLevel, "info")
    .option(
      "--trust-proxy",
      "a reverse proxy stands in front: believe its X-Forwarded-Host/-Proto/-For headers",
      false,
    )
    .option(
      "--body-limit <bytes>",
      "largest accepted HTTP request body",
      parsePositiveInt,
      DEFAULT_BODY_LIMIT_BYTES,
    )
    .option(
      "--body-depth-limit <levels>",
      "deepest accepted nesting of arrays and objects in an HTTP request body",
      parsePositiveInt,
      DEFAULT_BODY_DEPTH_LIMIT,
    )
    .addOption(
      new Option(
        "--smtp-url <url>",
        "SMTP server that mails confirmation and reset links (smtp://user:pass@host:port)",
      ).env("ATOLL_SMTP_URL"),
    )
    .addOption(new Option("--smtp-from <address>", "sender of account mail").env("ATOLL_SMTP_FROM"))
    .option(
      "--dev-print-auth-links",
      "development only: print confirmation and reset links (with their tokens) to the console instead of mailing them",
    )
    .option(
      "--auth-throttle <spec>",
      "limits on failed logins and confirmation/reset sends, e.g. login=10/15m,login-address=100/15m,send=5/60m,send-address=20/60m",
      asOptionParser(parseAuthThrottle),
    )
    .option(
      "--sync-limit <name=value>",
      "a bound on sync uploads over its default, e.g. maxListLength=200000 (repeatable; see docs/security.md)",
      asOptionParser(parseSyncLimit),
      {},
    )
    .addOption(
      new Option(
        "--environment <name>",
        "the environment whose environments/<name>.json values apply (over root_config.json's)",
      ).choices(ENVIRONMENTS.filter((name) => name !== "")),
    )
    .option(
      "--oauth-jwks <provider=url>",
      "where an OAuth provider's ID-token signing keys are fetched, e.g. oauth2-google=https://keys.internal/google (repeatable)",
      asOptionParser(parseOAuthJwks),
      {},
    )
    .option(
      "--functions-http-allow <hosts>",
      "host names (or host:port) functions' context.http may call, comma-separated (default: none, context.http is off)",
      asOptionParser(parseHttpAllow),
      [],
    )
    .option(
      "--drain-timeout <ms>",
      "on SIGTERM/SIGINT: how long to let HTTP requests under way finish (new ones get 503, sync clients are told to reconnect) before closing",
      parsePositiveInt,
      DEFAULT_DRAIN_TIMEOUT_MS,
    )
    .action((options: ServeOptions) => runCommand(() => serve(options)));
}

async function serve(options: ServeOptions): Promise<void> {
  const shutdown = untilShutdown();
  const logger = createConsoleLogger(options.logLevel);
  logger.debug({ app: options.app }, "starting");
  // Loaded here first so a broken export fails before any storage is opened or created.
  const config = await loadAppConfig(
    options.app,
    options.environment === undefined ? {} : { environment: options.environment },
  );
  if (shutdownRequested()) return;
  const storage = options.storage ?? defaultStorageSpec(config.appId);
  const mail = {
    ...(options.smtpUrl === undefined ? {} : { smtpUrl: options.smtpUrl }),
    ...(options.smtpFrom === undefined ? {} : { from: options.smtpFrom }),
    devPrintLinks: options.devPrintAuthLinks === true,
  };
  const server = await AtollServer.start({
    appDir: options.app,
    ...(options.environment === undefined ? {} : { environment: options.environment }),
    oauthJwksUrls: options.oauthJwks,
    functionsHttp: { allowedHosts: options.functionsHttpAllow },
    port: options.port,
    host: options.host,
    storage,
    functionTimeoutMs: options.functionTimeout,
    queryLimits: {
      timeoutMs: options.queryTimeout,
      workerMemoryMb: options.queryMemory,
      workers: options.queryWorkers,
    },
    logLevel: options.logLevel,
    trustProxy: options.trustProxy,
    bodyLimitBytes: options.bodyLimit,
    bodyDepthLimit: options.bodyDepthLimit,
    mail,
    ...(options.authThrottle === undefined
      ? {}
      : { authThrottle: { limits: options.authThrottle } }),
    sync: { limits: options.syncLimit },
  });
  // Interrupted while starting: shut down without announcing a server that is going away.
  if (!shutdownRequested())
    announce(server, displayStorageSpec(storage), config, options, logger, mail);
  await shutdown;
  logger.info("draining");
  await server.drain(options.drainTimeout);
  logger.info("stopped");
}

function announce(
  server: AtollServer,
  storage: string,
  config: AppConfig,
  options: ServeOptions,
  logger: Logger,
  mail: AccountMailOptions,
): void {
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
    for (const note of [
      ...(config.unsupported ?? []),
      ...mailSettingNotes(config.authProviders, mail),
    ])
      process.stderr.write(`atoll: warning: ${note}\n`);
  }
  logger.info({ url: server.url, appId: server.appId, storage }, "server started");
}
