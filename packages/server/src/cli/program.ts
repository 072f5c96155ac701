/**
 * The `atoll` command line: each subcommand lives in its own module; this one assembles them,
 * so importing a command never starts anything.
 */
import { createRequire } from "node:module";
import { Command } from "commander";
import { addApiKeysCommand } from "./apiKeys.js";
import { addTransferCommands } from "./export.js";
import { addImportCommand } from "./import.js";
import { addInitCommand } from "./init.js";
import { addLogsCommand } from "./logs.js";
import { addServeCommand } from "./serve.js";
import { addUsersCommand } from "./users.js";

// The same relative path from src/cli/program.ts and from dist/cli/program.js.
const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

export async function runProgram(argv: readonly string[]): Promise<void> {
  const program = new Command("atoll")
    .description("Atoll: a self-hosted home for App Services apps and their Realm clients")
    .version(version)
    .showHelpAfterError();
  addServeCommand(program);
  addInitCommand(program);
  addUsersCommand(program);
  addLogsCommand(program);
  addApiKeysCommand(program);
  addImportCommand(program);
  addTransferCommands(program);
  await program.parseAsync(argv);
}
