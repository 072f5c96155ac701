#!/usr/bin/env node
/**
 * The `atoll` command. Signal handling comes first, before the rest of the CLI (and with it
 * the whole server) is even loaded: a Ctrl-C during start-up must end in a clean exit.
 */
import { installShutdownSignals } from "./cli/shutdownSignals.js";

installShutdownSignals();
const { runProgram } = await import("./cli/program.js");
await runProgram(process.argv);
