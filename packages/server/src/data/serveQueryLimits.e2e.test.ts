/**
 * The data-API query limits an operator sets on `atoll serve`: a real CLI process, a real
 * client over HTTP. A runaway pipeline is stopped at the `--query-timeout` given, and values
 * the server cannot use are refused at startup.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CARS_APP_DIR } from "../config/test-support/appFixture.js";
import { CliProcess, runCli } from "../cli/test-support/cliProcess.js";

const LISTENING = /^Atoll listening on (http:\/\/[^ ]+) \(app ([^)]+)\)$/;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "atoll-query-limits-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function post(
  url: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("atoll serve: data-API query limits", () => {
  it(
    "stops a runaway pipeline at --query-timeout, with ExecutionTimeLimitExceeded, and keeps serving",
    { timeout: 90_000 },
    async () => {
      const cli = new CliProcess(
        [
          "serve",
          "--app",
          CARS_APP_DIR,
          "--storage",
          "memory",
          "--port",
          "0",
          "--log-level",
          "warn",
          "--query-timeout",
          "1500",
          "--query-workers",
          "1",
        ],
        { cwd: work },
      );
      try {
        const [, url = "", appId = ""] = LISTENING.exec(await cli.waitForLine(LISTENING)) ?? [];
        const api = `${url}/api/client/v2.0/app/${appId}`;
        const login = await post(`${api}/auth/providers/anon-user/login`, {
          options: { device: {} },
        });
        const token = String(login.body.access_token);
        const aggregate = (pipeline: unknown[]) =>
          post(
            `${api}/functions/call`,
            {
              service: "mongodb-atlas",
              name: "aggregate",
              arguments: [{ database: "cars-db", collection: "Car", pipeline }],
            },
            token,
          );
        const spin = {
          $map: { input: { $range: [0, 100_000] }, in: { $size: { $range: [0, 100_000] } } },
        };
        // One document for the pipeline to run over ($documents is not allowed to clients).
        await post(
          `${api}/functions/call`,
          {
            service: "mongodb-atlas",
            name: "insertOne",
            arguments: [
              {
                database: "cars-db",
                collection: "Car",
                document: { ownerId: String(login.body.user_id), make: "Lada" },
              },
            ],
          },
          token,
        );
        const stopped = await aggregate([{ $project: { x: { $sum: spin } } }]);
        expect(stopped.status).toBe(400);
        expect(stopped.body).toMatchObject({
          error_code: "ExecutionTimeLimitExceeded",
          error: "the query ran longer than 1500 ms and was stopped",
        });
        expect((await aggregate([{ $project: { _id: 0, make: 1 } }])).body).toEqual([
          { make: "Lada" },
        ]);
      } finally {
        await cli.signal("SIGTERM");
      }
    },
  );

  it("refuses limits it cannot use", async () => {
    for (const flag of ["--query-timeout", "--query-memory", "--query-workers"]) {
      const done = await runCli(["serve", "--app", CARS_APP_DIR, flag, "0"], { cwd: work });
      expect(done.code).not.toBe(0);
      expect(done.stderr).toContain(flag);
    }
  });
});
