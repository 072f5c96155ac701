import type { Command } from "commander";
import type { LogEntryType } from "../logs/LogEntry.js";
import { formatLogEntry } from "./formatLogEntry.js";
import { AppStore } from "./openAppStore.js";
import { parseDate, parseLogType, parsePositiveInt, parseStorageSpec } from "./options.js";
import { runCommand } from "./runCommand.js";
import { untilShutdown } from "./shutdownSignals.js";

interface LogsOptions {
  app: string;
  storage?: string;
  follow?: boolean;
  type?: LogEntryType;
  user?: string;
  since?: Date;
  limit: number;
  json?: boolean;
}

export function addLogsCommand(program: Command): void {
  program
    .command("logs")
    .description(
      "print the app's log: requests, logins, function calls with their console output, errors",
    )
    .option("--app <dir>", "the app export directory", ".")
    .option(
      "--storage <spec>",
      "the store the server uses: sqlite:<file>, memory or postgres://… (default sqlite:./data/<appId>.db)",
      parseStorageSpec,
    )
    .option("-f, --follow", "keep printing entries as they are written, until interrupted")
    .option(
      "--type <type>",
      "only entries of this type (request, auth, function, sync, error, config)",
      parseLogType,
    )
    .option("--user <id>", "only entries of this user")
    .option("--since <date>", "only entries at or after this time", parseDate)
    .option("--limit <n>", "print the newest N entries", parsePositiveInt, 100)
    .option("--json", "one JSON object per line")
    .action((options: LogsOptions) => runCommand(() => printLogs(options)));
}

async function printLogs(options: LogsOptions): Promise<void> {
  await AppStore.use(options, async (store) => {
    const filter = { type: options.type, userId: options.user, since: options.since };
    for (const entry of await store.logs.query({ ...filter, limit: options.limit })) {
      process.stdout.write(`${formatLogEntry(entry, options.json === true)}\n`);
    }
    if (options.follow !== true) return;
    const interrupted = untilShutdown();
    await new Promise<void>((resolve, reject) => {
      const stop = store.logs.follow((entry) => {
        if (filter.type !== undefined && entry.type !== filter.type) return;
        if (filter.userId !== undefined && entry.userId !== filter.userId) return;
        process.stdout.write(`${formatLogEntry(entry, options.json === true)}\n`);
      }, reject);
      // The follower's poll timer does not hold the process open; this does, until a signal.
      const keepAlive = setInterval(() => {}, 60_000);
      void interrupted.then(() => {
        clearInterval(keepAlive);
        stop();
        resolve();
      });
    });
  });
}
