#!/usr/bin/env node
/**
 * The `atoll` command. Each subcommand lives in `cli/`; this file only assembles them, so
 * importing a command never starts anything.
 */
import { Command } from "commander";
import { addInitCommand } from "./cli/init.js";
import { addLogsCommand } from "./cli/logs.js";
import { addServeCommand } from "./cli/serve.js";
import { addUsersCommand } from "./cli/users.js";

const program = new Command("atoll")
  .description("Atoll: a self-hosted home for App Services apps and their Realm clients")
  .showHelpAfterError();
addServeCommand(program);
addInitCommand(program);
addUsersCommand(program);
addLogsCommand(program);
await program.parseAsync(process.argv);
