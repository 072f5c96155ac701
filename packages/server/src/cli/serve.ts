import { InvalidArgumentError, Option, type Command } from "commander";
import { AtollServer } from "../AtollServer.js";
import { parseAuthThrottle, type AuthThrottleLimits } from "../auth/AuthThrottle.js";
import { loadAppConfig } from "../config/loadAppConfig.js";
import { mailSettingNotes } from "../mail/accountLinkDelivery.js";
import { createConsoleLogger, type LogLevel } from "../logs/consoleLogger.js";
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
  smtpUrl?: string;
  smtpFrom?: string;
  devPrintAuthLinks?: boolean;
  authThrottle?: AuthThrottleLimits;
}

function parseAuthThrottleOption(value: string): AuthThrottleLimits {
  try {
    return parseAuthThrottle(value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
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
      parseAuthThrottleOption,
    )
    .action((options: ServeOptions) => runCommand(() => serve(options)));
}

async function serve(options: ServeOptions): Promise<void> {
  const logger = createConsoleLogger(options.logLevel);
  // Loaded here first so a broken export fails before any storage is opened or created.
  const config = await loadAppConfig(options.app);
  const storage = options.storage ?? defaultStorageSpec(config.appId);
  const mail = {
    ...(options.smtpUrl === undefined ? {} : { smtpUrl: options.smtpUrl }),
    ...(options.smtpFrom === undefined ? {} : { from: options.smtpFrom }),
    devPrintLinks: options.devPrintAuthLinks === true,
  };
  const server = await AtollServer.start({
    appDir: options.app,
    port: options.port,
    host: options.host,
    storage,
    functionTimeoutMs: options.functionTimeout,
    logLevel: options.logLevel,
    mail,
    ...(options.authThrottle === undefined
      ? {}
      : { authThrottle: { limits: options.authThrottle } }),
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
    for (const note of [
      ...(config.unsupported ?? []),
      ...mailSettingNotes(config.authProviders, mail),
    ])
      process.stderr.write(`atoll: warning: ${note}\n`);
  }
  logger.info({ url: server.url, appId: server.appId, storage }, "server started");
  await untilSignalled();
  logger.info("shutting down");
  await server.close();
  logger.info("stopped");
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
