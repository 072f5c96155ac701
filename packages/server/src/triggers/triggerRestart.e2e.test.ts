/**
 * `atoll serve` stopped in the middle of a burst of changes and started again on the same
 * store: the database trigger handles every change exactly once across the two processes,
 * as the idempotency keys its function records show, and `atoll logs --type trigger` lists
 * the runs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { CliProcess, runCli } from "../cli/test-support/cliProcess.js";
import { SqliteStorage } from "../storage/SqliteStorage.js";

const APP_DIR = fileURLToPath(new URL("./test-app", import.meta.url));
const LISTENING = /^Atoll listening on (http:\/\/\S+) \(app (\S+)\)$/;
const RUN = /"msg":"trigger recordCarEvents: function recordCarEvent"/;
const BURST = 100;

const work = mkdtempSync(join(tmpdir(), "atoll-trigger-restart-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const store = ["--app", APP_DIR, "--storage", `sqlite:${join(work, "store.db")}`];

async function serve(): Promise<{ cli: CliProcess; api: string }> {
  const cli = new CliProcess(["serve", ...store, "--port", "0", "--log-level", "info"], {
    cwd: work,
  });
  const [, url = "", appId = ""] = LISTENING.exec(await cli.waitForLine(LISTENING)) ?? [];
  return { cli, api: `${url}/api/client/v2.0/app/${appId}` };
}

async function post(url: string, body: unknown, token?: string): Promise<unknown> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return response.json();
}

describe("database triggers across a restart", () => {
  it(
    "neither skip nor repeat an event when the server restarts during a burst",
    { timeout: 60_000 },
    async () => {
      const first = await serve();
      const login = (await post(`${first.api}/auth/providers/anon-user/login`, {})) as {
        access_token: string;
        user_id: string;
      };
      const cars = Array.from({ length: BURST }, (_, i) => ({
        ownerId: login.user_id,
        make: `car-${i}`,
        model: "given",
      }));
      await post(
        `${first.api}/functions/call`,
        {
          name: "insertMany",
          service: "mongodb-atlas",
          arguments: [{ database: "cars-db", collection: "Car", documents: cars }],
        },
        login.access_token,
      );
      await first.cli.waitForStderrLine(RUN);
      const stopped = await first.cli.signal("SIGTERM");
      expect(stopped.code).toBe(0);
      const runsBefore = stopped.stderr.split("\n").filter((line) => RUN.test(line)).length;

      const second = await serve();
      if (runsBefore < BURST) await second.cli.waitForStderrLines(RUN, BURST - runsBefore);
      const secondRun = await second.cli.signal("SIGTERM");
      const runsAfter = secondRun.stderr.split("\n").filter((line) => RUN.test(line)).length;
      expect(runsBefore + runsAfter).toBe(BURST);

      const storage = new SqliteStorage(join(work, "store.db"));
      try {
        const recorded = await storage.scan({ db: "triggers", coll: "carEvents" });
        expect(recorded).toHaveLength(BURST);
        expect(recorded.filter(({ doc }) => doc["deliveries"] !== 1)).toEqual([]);
        const makes = recorded.map(
          ({ doc }) => (doc["event"] as { fullDocument: { make: string } }).fullDocument.make,
        );
        expect(makes).toEqual(cars.map((car) => car.make));
      } finally {
        await storage.close();
      }

      const logged = await runCli(["logs", ...store, "--type", "trigger", "--limit", "1000"], {
        cwd: work,
      });
      const runs = logged.stdout
        .split("\n")
        .filter((line) => / trigger +ok +trigger recordCarEvents: /.test(line));
      expect(runs).toHaveLength(BURST);
      expect(logged.stdout).toContain("    | recording insert of ");
    },
  );
});
