/**
 * `atoll import`: loads `mongoexport` and `mongodump` output into the app's store, beside a
 * running server or not (see `transfer/`). Progress goes to stderr, the summary to stdout;
 * rejected documents are listed on stderr and, with `--rejects`, written whole to a file as
 * JSON lines. Exits 1 when any document was rejected.
 */
import { appendFile, stat, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { loadAppConfig } from "../config/loadAppConfig.js";
import type { AppConfig, CollectionSchema } from "../config/types.js";
import { openStorage } from "../storage/openStorage.js";
import type { Namespace } from "../storage/StorageEngine.js";
import {
  DEFAULT_IMPORT_BATCH,
  DocumentImporter,
  type Rejected,
} from "../transfer/importDocuments.js";
import { importSources } from "../transfer/importSources.js";
import { formatRate, ProgressDisplay } from "../transfer/progressDisplay.js";
import { defaultStorageSpec, parsePositiveInt, parseStorageSpec } from "./options.js";
import { runCommand } from "./runCommand.js";

interface ImportOptions {
  app: string;
  storage?: string;
  db?: string;
  collection?: string;
  archive?: boolean;
  batchSize: number;
  rejects?: string;
}

/** Rejected documents listed on stderr before the rest are only counted. */
const LISTED_REJECTS = 20;

export function addImportCommand(program: Command): void {
  program
    .command("import <paths...>")
    .description(
      "load mongoexport files (JSON lines or --jsonArray, Extended JSON) or mongodump output (.bson files, a dump directory, an --archive file; gzip or not) into the app's collections; resumable",
    )
    .option("--app <dir>", "the app export directory", ".")
    .option(
      "--storage <spec>",
      "the store the server uses (default sqlite:./data/<appId>.db)",
      parseStorageSpec,
    )
    .option(
      "--db <name>",
      "database for a single collection's file (default: the app's database holding a collection of that name; for .bson, the directory's name)",
    )
    .option(
      "--collection <name>",
      "collection for a single collection's file (default: the file's base name)",
    )
    .option("--archive", "read the file as a mongodump --archive whatever its name")
    .option(
      "--batch-size <n>",
      "documents per committed batch",
      parsePositiveInt,
      DEFAULT_IMPORT_BATCH,
    )
    .option(
      "--rejects <file>",
      "write every rejected document's file, position and reason there, as JSON lines",
    )
    .action((paths: string[], options: ImportOptions) =>
      runCommand(() => importFiles(paths, options)),
    );
}

async function importFiles(paths: readonly string[], options: ImportOptions): Promise<void> {
  const config = await loadAppConfig(options.app);
  const sources = await importSources(paths, options, (collection) =>
    databaseOf(config, collection),
  );
  const storage = await openStorage(options.storage ?? defaultStorageSpec(config.appId));
  try {
    if (options.rejects !== undefined) await writeFile(options.rejects, "");
    const sizes = await Promise.all(sources.map(async (s) => (await stat(s.file)).size));
    const display = new ProgressDisplay(
      process.stderr,
      sizes.reduce((a, b) => a + b, 0),
    );
    let bytesBefore = 0;
    let documentsBefore = 0;
    let listed = 0;
    const rejectedLines: Rejected[] = [];
    const importer = new DocumentImporter(
      storage,
      (ns) => schemaOf(config, ns),
      {
        progress: (_source, read, bytesRead) =>
          display.update(documentsBefore + read, bytesBefore + bytesRead),
        rejected: (rejected) => {
          if (listed++ < LISTED_REJECTS)
            display.note(`rejected ${rejected.file}:${rejected.position}: ${rejected.reason}`);
          rejectedLines.push(rejected);
        },
      },
      options.batchSize,
    );
    const started = Date.now();
    let imported = 0;
    let rejected = 0;
    for (const [i, source] of sources.entries()) {
      const outcome = await importer.importSource(source);
      if (options.rejects !== undefined && rejectedLines.length > 0)
        await appendFile(
          options.rejects,
          rejectedLines.map((r) => `${JSON.stringify(r)}\n`).join(""),
        );
      rejectedLines.length = 0;
      bytesBefore += sizes[i] ?? 0;
      documentsBefore += outcome.imported + outcome.rejected;
      display.update(documentsBefore, bytesBefore, true);
      display.end();
      if (outcome.alreadyDone) process.stdout.write(`${source.file}: already imported, skipped\n`);
      else
        process.stdout.write(
          `${source.file}: ${outcome.imported} imported${outcome.rejected > 0 ? `, ${outcome.rejected} rejected` : ""}${outcome.resumedAfter > 0 ? ` (resumed after ${outcome.resumedAfter})` : ""}\n`,
        );
      imported += outcome.imported;
      rejected += outcome.rejected;
    }
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    process.stdout.write(
      `imported ${imported} documents in ${seconds.toFixed(1)} s (${formatRate(imported / seconds)} documents/s)${rejected > 0 ? `; ${rejected} rejected${listed > LISTED_REJECTS ? ` (${LISTED_REJECTS} listed above)` : ""}${options.rejects === undefined ? "" : `, listed in ${options.rejects}`}` : ""}\n`,
    );
    if (rejected > 0) process.exitCode = 1;
  } finally {
    await storage.close();
  }
}

function collectionConfigs(config: AppConfig) {
  return [...config.dataSources.values()].flatMap((source) => [...source.collections.values()]);
}

function databaseOf(config: AppConfig, collection: string): string | undefined {
  const databases = new Set(
    collectionConfigs(config)
      .filter((c) => c.collection === collection)
      .map((c) => c.database),
  );
  return databases.size === 1 ? [...databases][0] : undefined;
}

function schemaOf(config: AppConfig, ns: Namespace): CollectionSchema | undefined {
  return collectionConfigs(config).find((c) => c.database === ns.db && c.collection === ns.coll)
    ?.schema;
}
