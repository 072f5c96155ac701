import { existsSync, statSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CARS_APP_DIR, copyCarsApp } from "../config/test-support/appFixture.js";
import { CliProcess, runCli } from "./test-support/cliProcess.js";

const LISTENING = /^Atoll listening on (http:\/\/[^ ]+) \(app ([^)]+)\)$/;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "atoll-cli-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function startServer(
  args: string[],
  cwd = work,
): Promise<{ cli: CliProcess; url: string; appId: string }> {
  const cli = new CliProcess(["serve", "--port", "0", "--log-level", "warn", ...args], { cwd });
  const line = await cli.waitForLine(LISTENING);
  const [, url = "", appId = ""] = LISTENING.exec(line) ?? [];
  return { cli, url, appId };
}

async function logIn(
  url: string,
  appId: string,
  username: string,
  password: string,
): Promise<Response> {
  return fetch(`${url}/api/client/v2.0/app/${appId}/auth/providers/local-userpass/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
}

describe("atoll serve", () => {
  it("prints the listening line first, answers /location, and exits 0 on SIGTERM", async () => {
    const { cli, url, appId } = await startServer([
      "--app",
      CARS_APP_DIR,
      "--storage",
      `sqlite:${path.join(work, "serve.db")}`,
    ]);
    expect(cli.stdout.split("\n")[0]).toMatch(LISTENING);
    expect(appId).toBe("cars");
    expect(cli.stdout).toContain(`curl ${url}/api/client/v2.0/app/cars/location`);
    const response = await fetch(`${url}/api/client/v2.0/app/cars/location`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ hostname: url });
    const done = await cli.signal("SIGTERM");
    expect(done.code).toBe(0);
    expect(done.stderr).toContain(
      "atoll: warning: local-userpass: password reset emails cannot be sent until a mail server is configured (--smtp-url)",
    );
  });

  it("believes X-Forwarded-Host and -Proto only with --trust-proxy", async () => {
    const forwarded = { "X-Forwarded-Host": "atoll.example.com", "X-Forwarded-Proto": "https" };
    for (const [flags, hostname] of [
      [[], undefined],
      [["--trust-proxy"], "https://atoll.example.com"],
    ] as const) {
      const { cli, url } = await startServer([
        "--app",
        CARS_APP_DIR,
        "--storage",
        "memory",
        ...flags,
      ]);
      const response = await fetch(`${url}/api/client/v2.0/app/cars/location`, {
        headers: forwarded,
      });
      expect(await response.json()).toMatchObject({ hostname: hostname ?? url });
      expect((await cli.signal("SIGTERM")).code).toBe(0);
    }
  });

  it("keeps its data in ./data/<appId>.db by default, creating the directory", async () => {
    const cwd = await mkdtemp(path.join(work, "cwd-"));
    const { cli } = await startServer(["--app", CARS_APP_DIR], cwd);
    expect(existsSync(path.join(cwd, "data", "cars.db"))).toBe(true);
    const mode = (file: string) => statSync(path.join(cwd, file)).mode & 0o777;
    expect(mode("data")).toBe(0o700);
    for (const file of ["data/cars.db", "data/cars.db-wal", "data/cars.db-shm"])
      expect(mode(file)).toBe(0o600);
    expect((await cli.signal("SIGINT")).code).toBe(0);
  });

  it("stops with a non-zero exit and a message naming the file and field when the config is bad", async () => {
    const app = await copyCarsApp();
    try {
      await writeFile(
        path.join(app.dir, "auth/providers.json"),
        JSON.stringify({ google: { name: "google", type: "oauth2-goggle" } }),
      );
      const done = await runCli(["serve", "--app", app.dir, "--port", "0", "--storage", "memory"], {
        cwd: work,
      });
      expect(done.code).not.toBe(0);
      expect(done.stderr).toContain("auth/providers.json");
      expect(done.stderr).toContain("google.type");
      expect(done.stdout).not.toMatch(LISTENING);
    } finally {
      await app.remove();
    }
  });

  it("refuses option values it cannot use", async () => {
    const done = await runCli(["serve", "--app", CARS_APP_DIR, "--port", "eighty"], { cwd: work });
    expect(done.code).not.toBe(0);
    expect(done.stderr).toContain("--port");
  });

  it("refuses a sync limit it does not know", async () => {
    const args = ["serve", "--app", CARS_APP_DIR, "--sync-limit", "maxLists=3"];
    const done = await runCli(args, { cwd: work });
    expect(done.code).not.toBe(0);
    expect(done.stderr).toContain('unknown sync limit "maxLists"');
  });
});

describe("atoll serve interrupted while starting", () => {
  const serveArgs = (storage: string, ...extra: string[]) => [
    "serve",
    "--app",
    CARS_APP_DIR,
    "--port",
    "0",
    "--storage",
    `sqlite:${path.join(work, storage)}`,
    ...extra,
  ];

  it(
    "exits 0 on SIGINT the moment it reports that it is starting, before it listens",
    { timeout: 90_000 },
    async () => {
      for (let round = 0; round < 3; round++) {
        const cli = new CliProcess(serveArgs(`early-${round}.db`, "--log-level", "debug"), {
          cwd: work,
        });
        await cli.waitForStderrLine(/"msg":"starting"/);
        const done = await cli.signal("SIGINT");
        expect({ code: done.code, signal: done.signal }).toEqual({ code: 0, signal: null });
        expect(done.stdout).not.toMatch(LISTENING);
      }
    },
  );

  it("exits 0 on SIGINT sent right after its first output", { timeout: 90_000 }, async () => {
    for (let round = 0; round < 3; round++) {
      const cli = new CliProcess(serveArgs(`first-output-${round}.db`, "--log-level", "warn"), {
        cwd: work,
      });
      await cli.waitForLine(/./);
      const done = await cli.signal("SIGINT");
      expect({ code: done.code, signal: done.signal }).toEqual({ code: 0, signal: null });
    }
  });
});

describe("atoll init", () => {
  it("scaffolds an app that serves", { timeout: 90_000 }, async () => {
    const dir = path.join(work, "my-todo");
    const created = await runCli(["init", dir], { cwd: work });
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Created app "my-todo"');
    const { cli, url, appId } = await startServer(["--app", dir, "--storage", "memory"]);
    expect(appId).toBe("my-todo");
    expect((await fetch(`${url}/api/client/v2.0/app/my-todo/location`)).status).toBe(200);
    expect((await cli.signal("SIGTERM")).code).toBe(0);
  });

  it("will not write into a directory that has files", async () => {
    const done = await runCli(["init", CARS_APP_DIR], { cwd: work });
    expect(done.code).not.toBe(0);
    expect(done.stderr).toContain("is not empty");
  });
});

describe("atoll users and atoll logs beside a running server", () => {
  // Each command is a fresh process compiling the CLI from its sources: allow for several.
  it(
    "creates, lists, disables and deletes users in the store the server uses, and the server sees it",
    { timeout: 180_000 },
    async () => {
      const store = ["--app", CARS_APP_DIR, "--storage", `sqlite:${path.join(work, "users.db")}`];
      const { cli, url } = await startServer(store);
      try {
        const created = await runCli(
          ["users", "create", ...store, "--email", "ada@example.com", "--password", "analytical"],
          { cwd: work },
        );
        expect(created.stderr).toBe("");
        const userId = created.stdout.trim();
        expect(userId).toMatch(/^[0-9a-f]{24}$/);
        expect((await logIn(url, "cars", "ada@example.com", "analytical")).status).toBe(200);

        const listed = await runCli(["users", "list", ...store], { cwd: work });
        expect(listed.stdout).toContain(userId);
        expect(listed.stdout).toContain("local-userpass ada@example.com");

        expect((await runCli(["users", "disable", userId, ...store], { cwd: work })).code).toBe(0);
        const refused = await logIn(url, "cars", "ada@example.com", "analytical");
        expect(refused.status).toBe(401);
        expect(await refused.json()).toMatchObject({ error_code: "UserDisabled" });

        expect((await runCli(["users", "delete", userId, ...store], { cwd: work })).code).toBe(0);
        const again = await runCli(["users", "delete", userId, ...store], { cwd: work });
        expect(again.code).not.toBe(0);
        expect(again.stderr).toContain(userId);

        const logs = await runCli(["logs", ...store, "--type", "auth"], { cwd: work });
        expect(logs.stdout).toContain("user disabled from the command line");
        expect(logs.stdout).not.toMatch(/ request /);
      } finally {
        await cli.signal("SIGTERM");
      }
    },
  );

  it(
    "logs --follow prints what the server records while it runs",
    { timeout: 90_000 },
    async () => {
      const store = ["--app", CARS_APP_DIR, "--storage", `sqlite:${path.join(work, "follow.db")}`];
      const { cli, url } = await startServer(store);
      const follower = new CliProcess(["logs", ...store, "--follow", "--type", "auth"], {
        cwd: work,
      });
      try {
        // The follower starts from the newest entry; log in until one appears after it started.
        const seen = follower.waitForLine(/ auth +ok /);
        let found = false;
        void seen.then(() => (found = true));
        while (!found) {
          await fetch(`${url}/api/client/v2.0/app/cars/auth/providers/anon-user/login`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: "{}",
          });
          await Promise.race([seen, new Promise((resolve) => setTimeout(resolve, 200))]);
        }
        expect(await seen).toMatch(/ auth +ok +user=[0-9a-f]{24} /);
        expect((await follower.signal("SIGINT")).code).toBe(0);
      } finally {
        await cli.signal("SIGTERM");
      }
    },
  );
});
