/**
 * Convergence property: three real clients (their own files and users, one process) sync
 * `Task`s through a fault proxy with a real server on SQLite. Random commands — the same
 * fields set from several clients, counter additions, deletes racing updates, list inserts,
 * group changes moving tasks into and out of a narrower view — run among random pauses
 * (offline periods), dropped connections and partial syncs. Once everything is quiet, every
 * client holds exactly the server's documents for its view, and every write is reflected in
 * the server's state unless a documented rule let it lose (last writer wins, erase wins) or
 * the server compensated it and reported so through onError.
 *
 * Inside `npm test` it runs its suite budget from a fixed seed; `npm run fuzz` runs it far
 * longer from a fresh seed. Reproduce a failure with the seed it prints:
 * ATOLL_CONVERGENCE_SEED=<seed> (and ATOLL_CONVERGENCE_RUNS=<n> for more or fewer runs).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { CompensatingWriteError } from "@atoll/client";
import type { User } from "@atoll/client";
import { AtollServer } from "@atoll/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  fuzzParameters,
  isLongFuzzRun,
} from "../packages/protocol/src/test-support/fuzzParameters.js";
import { commandArbitrary, ConvergenceRun, type Command } from "./support/faults/convergenceRun.js";
import { FaultProxy } from "./support/faults/proxy.js";
import { writeSyncApp, type SyncAppDir } from "./support/faults/syncApp.js";
import { logInNewUser } from "./support/faults/syncedClients.js";

const SUITE_RUNS = 30;
const { ATOLL_CONVERGENCE_SEED: seedOverride, ATOLL_CONVERGENCE_RUNS: runsOverride } = process.env;
/** A long run draws its seed here, so that it can be printed before the runs start. */
const PARAMETERS = fuzzParameters<[Command[]]>(SUITE_RUNS, {
  ...(seedOverride !== undefined
    ? { seed: Number(seedOverride) }
    : isLongFuzzRun()
      ? { seed: Math.floor(Math.random() * 2 ** 31) }
      : {}),
  ...(runsOverride !== undefined ? { numRuns: Number(runsOverride) } : {}),
});

let appDir: SyncAppDir;
let dir: string;
let server: AtollServer;
let proxy: FaultProxy;
let users: User[];

beforeAll(async () => {
  appDir = await writeSyncApp();
  dir = mkdtempSync(join(tmpdir(), "atoll-convergence-"));
  server = await AtollServer.start({
    appDir: appDir.dir,
    port: 0,
    storage: `sqlite:${join(dir, "server.sqlite")}`,
    logLevel: "silent",
  });
  proxy = await FaultProxy.start(server.url);
  users = await Promise.all(
    [0, 1, 2].map((i) => logInNewUser(proxy.url, server.appId, join(dir, `user-${i}`))),
  );
});

afterAll(async () => {
  await proxy?.close();
  await server?.close();
  await appDir?.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe("convergence", () => {
  it(
    "brings every client to the server's state for its view, with every write reflected or reported",
    { timeout: isLongFuzzRun() ? 3_600_000 : 240_000 },
    async () => {
      console.log(`convergence property: seed ${PARAMETERS.seed}, ${PARAMETERS.numRuns} runs`);
      let runNumber = 0;
      const totals = { commands: 0, tasks: 0, compensated: 0 };
      await fc.assert(
        fc.asyncProperty(
          fc.array(commandArbitrary, { minLength: 10, maxLength: 40 }),
          async (commands) => {
            const run = await ConvergenceRun.open({
              number: ++runNumber,
              dir: join(dir, `run-${runNumber}`),
              users,
              proxy,
              // Two clients see both groups, one only the first: tasks move into and out of its view.
              views: [["a", "b"], ["a", "b"], ["a"]],
            });
            try {
              for (const command of commands) await run.execute(command);
              await run.quiesce();

              // Every client holds exactly the server's documents for its view.
              for (const client of run.clients)
                expect(run.snapshot(client), client.name).toEqual(
                  await run.serverView(server, client.groups),
                );
              // Every error reported is a compensating write, for an object the client wrote to.
              for (const client of run.clients)
                for (const error of client.errors) {
                  expect(error, client.name).toBeInstanceOf(CompensatingWriteError);
                  for (const write of (error as CompensatingWriteError).writes)
                    expect(write.reason).toMatch(/outside of the current query view$/);
                }
              // Every write is reflected, or lost by a documented rule, or was compensated and reported.
              expect(
                run.ledger.violations(await run.serverView(server, ["a", "b"]), run.compensated()),
              ).toEqual([]);
              totals.commands += commands.length;
              totals.tasks += (await run.serverView(server, ["a", "b"])).length;
              totals.compensated += run.compensated().size;
            } finally {
              run.close();
            }
          },
        ),
        { ...PARAMETERS, endOnFailure: true },
      );
      console.log(
        `convergence property: ${totals.commands} commands, ${totals.tasks} tasks on the server, ${totals.compensated} objects compensated`,
      );
    },
  );
});
