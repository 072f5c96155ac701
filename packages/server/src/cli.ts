#!/usr/bin/env node
/**
 * The `atoll` command. Each subcommand lives in `cli/`; this file only assembles them, so
 * importing a command never starts anything.
 */
import { createRequire } from "node:module";
import { Command } from "commander";
import { addInitCommand } from "./cli/init.js";
import { addLogsCommand } from "./cli/logs.js";
import { addServeCommand } from "./cli/serve.js";
import { addUsersCommand } from "./cli/users.js";

// The same relative path from src/cli.ts and from dist/cli.js.
const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

const program = new Command("atoll")
  .description("Atoll: a self-hosted home for App Services apps and their Realm clients")
  .version(version)
  .showHelpAfterError();
addServeCommand(program);
addInitCommand(program);
addUsersCommand(program);
addLogsCommand(program);
await program.parseAsync(process.argv);
