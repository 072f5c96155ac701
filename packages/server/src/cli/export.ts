/**
 * `atoll export`, `atoll backup` and `atoll restore`: the app's collections out as Extended
 * JSON lines or BSON (what `atoll import` reads back), and the whole store copied while the
 * server runs (SQLite's online backup) or put back while it is stopped.
 */
import { copyFile, rm, stat } from "node:fs/promises";
import { AppError } from "@atoll/protocol";
import { InvalidArgumentError, type Command } from "commander";
import { loadAppConfig } from "../config/loadAppConfig.js";
import { openStorage } from "../storage/openStorage.js";
import { exportCollections, type ExportFormat } from "../transfer/exportDocuments.js";
import { defaultStorageSpec, parseStorageSpec } from "./options.js";
import { runCommand } from "./runCommand.js";

interface StoreOptions {
  app: string;
  storage?: string;
}

function withStore(command: Command): Command {
  return command
    .option("--app <dir>", "the app export directory", ".")
    .option(
      "--storage <spec>",
      "the store the server uses (default sqlite:./data/<appId>.db)",
      parseStorageSpec,
    );
}

function parseFormat(value: string): ExportFormat {
  if (value !== "json" && value !== "bson") throw new InvalidArgumentError("use json or bson");
  return value;
}

async function storeSpec(options: StoreOptions): Promise<string> {
  return options.storage ?? defaultStorageSpec((await loadAppConfig(options.app)).appId);
}

function sqliteFile(spec: string): string {
  if (!spec.startsWith("sqlite:"))
    throw new AppError(
      "InvalidParameter",
      "only a SQLite store (sqlite:<file>) is backed up this way",
    );
  return spec.slice("sqlite:".length);
}

export function addTransferCommands(program: Command): void {
  withStore(
    program
      .command("export <dir>")
      .description(
        "write the app's collections to <dir>/<db>/<collection>.json (canonical Extended JSON lines) or .bson",
      ),
  )
    .option("--format <format>", "json or bson", parseFormat, "json" as ExportFormat)
    .option("--db <name>", "only this database")
    .option("--collection <name>", "only collections of this name")
    .action(
      (
        dir: string,
        options: StoreOptions & { format: ExportFormat; db?: string; collection?: string },
      ) =>
        runCommand(async () => {
          const storage = await openStorage(await storeSpec(options));
          try {
            const written = await exportCollections(storage, dir, options.format, options);
            for (const { ns, file, documents } of written)
              process.stdout.write(`${ns.db}.${ns.coll}: ${documents} documents to ${file}\n`);
            if (written.length === 0) process.stdout.write("no collection to export\n");
          } finally {
            await storage.close();
          }
        }),
    );

  withStore(
    program
      .command("backup <file>")
      .description(
        "copy the whole store (data, users, sync history) to <file>, consistent, while the server runs",
      ),
  ).action((file: string, options: StoreOptions) =>
    runCommand(async () => {
      sqliteFile(await storeSpec(options));
      const storage = await openStorage(await storeSpec(options));
      try {
        if (storage.backup === undefined)
          throw new AppError("InvalidParameter", "this store cannot be backed up by atoll backup");
        await storage.backup(file);
      } finally {
        await storage.close();
      }
      process.stdout.write(`backed up to ${file}\n`);
    }),
  );

  withStore(
    program
      .command("restore <file>")
      .description("put a backup back as the store (stop the server first)")
      .option("--replace", "overwrite an existing store"),
  ).action((file: string, options: StoreOptions & { replace?: boolean }) =>
    runCommand(async () => {
      const target = sqliteFile(await storeSpec(options));
      const checked = await openStorage(`sqlite:${file}`).catch((error: unknown) => {
        throw new AppError(
          "InvalidParameter",
          `${file} is not an Atoll store: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
      await checked.close();
      const exists = await stat(target).then(
        () => true,
        () => false,
      );
      if (exists && options.replace !== true)
        throw new AppError(
          "InvalidParameter",
          `${target} exists: stop the server and pass --replace to overwrite it`,
        );
      // A write-ahead log left beside the old store would be replayed onto the restored one.
      await Promise.all([
        rm(`${target}-wal`, { force: true }),
        rm(`${target}-shm`, { force: true }),
      ]);
      await copyFile(file, target);
      process.stdout.write(`restored ${file} to ${target}\n`);
    }),
  );
}
