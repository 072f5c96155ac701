/**
 * `atoll serve` stopped in the middle of a burst of changes and started again on the same
 * store. Stopped cleanly, the database trigger handles every change exactly once across the
 * two processes, as the idempotency keys its function records show, and `atoll logs --type
 * trigger` lists the runs. Killed, the restarted server takes over at once (the claim's
 * process is gone) and delivers again at most the event that was under way, which the
 * function's idempotency key absorbs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CliProcess, runCli } from "../cli/test-support/cliProcess.js";
import { SqliteStorage } from "../storage/SqliteStorage.js";
import { TRIGGERS_EXAMPLE_DIR, TRIGGERS_EXAMPLE_SECRETS } from "./test-support/triggersExample.js";
import { TRIGGER_STATE } from "./triggerNamespaces.js";

const LISTENING = /^Atoll listening on (http:\/\/\S+) \(app (\S+)\)$/;
const RUN = /"msg":"trigger recordCarEvents: function recordCarEvent"/;
const BURST = 100;

const work = mkdtempSync(join(tmpdir(), "atoll-trigger-restart-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const storeArgs = (file: string) => [
  "--app",
  TRIGGERS_EXAMPLE_DIR,
  "--storage",
  `sqlite:${join(work, file)}`,
];

async function serve(file: string): Promise<{ cli: CliProcess; api: string }> {
  const cli = new CliProcess(["serve", ...storeArgs(file), "--port", "0", "--log-level", "info"], {
    cwd: work,
    env: TRIGGERS_EXAMPLE_SECRETS,
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

/** Inserts the burst of cars through the data API; returns their makes, in order. */
async function insertBurst(api: string): Promise<string[]> {
  const login = (await post(`${api}/auth/providers/anon-user/login`, {})) as {
    access_token: string;
    user_id: string;
  };
  const cars = Array.from({ length: BURST }, (_, i) => ({
    ownerId: login.user_id,
    make: `car-${i}`,
    model: "given",
  }));
  await post(
    `${api}/functions/call`,
    {
      name: "insertMany",
      service: "mongodb-atlas",
      arguments: [{ database: "cars-db", collection: "Car", documents: cars }],
    },
    login.access_token,
  );
  return cars.map((car) => car.make);
}

const runsIn = (stderr: string) => stderr.split("\n").filter((line) => RUN.test(line)).length;

/** What the store holds with no server running: the recorded events and the trigger's cursor. */
async function inspect(file: string): Promise<{
  recorded: { make: string; deliveries: unknown }[];
  handled: number;
}> {
  const storage = new SqliteStorage(join(work, file));
  try {
    const recorded = (await storage.scan({ db: "triggers", coll: "carEvents" })).map(({ doc }) => ({
      make: (doc["event"] as { fullDocument: { make: string } }).fullDocument.make,
      deliveries: doc["deliveries"],
    }));
    const cursor = await storage.get(TRIGGER_STATE, "database:recordCarEvents");
    const seq = (cursor?.doc["seq"] as number | undefined) ?? 0;
    const handled = (await storage.changesSince(0)).filter(
      (change) => change.ns.coll === "Car" && change.seq <= seq,
    ).length;
    return { recorded, handled };
  } finally {
    await storage.close();
  }
}

describe("database triggers across a restart", () => {
  it(
    "neither skip nor repeat an event when the server stops cleanly during a burst",
    { timeout: 60_000 },
    async () => {
      const first = await serve("clean.db");
      const makes = await insertBurst(first.api);
      await first.cli.waitForStderrLine(RUN);
      const stopped = await first.cli.signal("SIGTERM");
      expect(stopped.code).toBe(0);
      const runsBefore = runsIn(stopped.stderr);

      const second = await serve("clean.db");
      if (runsBefore < BURST) await second.cli.waitForStderrLines(RUN, BURST - runsBefore);
      const secondRun = await second.cli.signal("SIGTERM");
      expect(runsBefore + runsIn(secondRun.stderr)).toBe(BURST);

      const { recorded } = await inspect("clean.db");
      expect(recorded).toEqual(makes.map((make) => ({ make, deliveries: 1 })));

      const logged = await runCli(
        ["logs", ...storeArgs("clean.db"), "--type", "trigger", "--limit", "1000"],
        {
          cwd: work,
          env: TRIGGERS_EXAMPLE_SECRETS,
        },
      );
      const runs = logged.stdout
        .split("\n")
        .filter((line) => / trigger +ok +trigger recordCarEvents: /.test(line));
      expect(runs).toHaveLength(BURST);
      expect(logged.stdout).toContain("    | recording insert of ");
    },
  );

  it(
    "deliver every event, and again at most the one under way, when the server is killed during a burst",
    { timeout: 60_000 },
    async () => {
      const first = await serve("killed.db");
      const makes = await insertBurst(first.api);
      await first.cli.waitForStderrLine(RUN);
      await first.cli.signal("SIGKILL");
      const atKill = await inspect("killed.db");

      const second = await serve("killed.db");
      if (atKill.handled < BURST) await second.cli.waitForStderrLines(RUN, BURST - atKill.handled);
      await second.cli.signal("SIGTERM");

      const { recorded } = await inspect("killed.db");
      expect(recorded.map((r) => r.make)).toEqual(makes);
      const again = recorded.filter((r) => r.deliveries !== 1);
      // The event whose function had written when the process died, before the cursor moved.
      expect(again.length).toBe(atKill.recorded.length - atKill.handled);
      expect(again.every((r) => r.deliveries === 2)).toBe(true);
      expect(again.length).toBeLessThanOrEqual(1);
    },
  );
});
