/**
 * Secrets never reach the logs: every auth flow runs over real HTTP against a server that
 * mails confirmation and reset links to a real SMTP server; then the app's log store (as
 * `atoll logs` reads it) and the console output are searched for every password, token, key
 * and link token the flows used. Without a mail server, a send fails with an error the
 * operator can read, without the token; the development switch prints links to the console
 * only.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AtollServer, type AtollServerOptions } from "../AtollServer.js";
import { AppStore } from "../cli/openAppStore.js";
import { copyCarsApp } from "../config/test-support/appFixture.js";
import { startTestSmtpServer, type TestSmtpServer } from "../mail/test-support/testSmtpServer.js";

const CONFIRM_URL = "https://cars.example.org/confirm";
const RESET_URL = "https://cars.example.org/reset";

let app: { dir: string; remove: () => Promise<void> };
let work: string;
let smtp: TestSmtpServer;
let stores = 0;

beforeAll(async () => {
  app = await copyCarsApp();
  await writeFile(
    path.join(app.dir, "auth/providers.json"),
    JSON.stringify({
      "local-userpass": {
        name: "local-userpass",
        type: "local-userpass",
        disabled: false,
        config: {
          autoConfirm: false,
          runConfirmationFunction: false,
          runResetFunction: false,
          emailConfirmationUrl: CONFIRM_URL,
          resetPasswordUrl: RESET_URL,
        },
      },
      "api-key": { name: "api-key", type: "api-key", disabled: false },
    }),
  );
  work = await mkdtemp(path.join(tmpdir(), "atoll-secrets-"));
  smtp = await startTestSmtpServer();
});
afterAll(async () => {
  await smtp.close();
  await app.remove();
  await rm(work, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

interface Started {
  readonly server: AtollServer;
  readonly storage: string;
  readonly call: (
    route: string,
    init?: { method?: string; body?: unknown; bearer?: string },
  ) => Promise<Response>;
}

async function start(options: Partial<AtollServerOptions> = {}): Promise<Started> {
  stores += 1;
  const storage = `sqlite:${path.join(work, `store-${stores}.db`)}`;
  const server = await AtollServer.start({
    appDir: app.dir,
    port: 0,
    storage,
    logLevel: "debug",
    ...options,
  });
  return {
    server,
    storage,
    call: (route, init = {}) =>
      fetch(`${server.url}/api/client/v2.0${route.replace(/^\/app\//, `/app/${server.appId}/`)}`, {
        method: init.method ?? "POST",
        headers: {
          "Content-Type": "application/json",
          ...(init.bearer === undefined ? {} : { Authorization: `Bearer ${init.bearer}` }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      }),
  };
}

/** Every entry of the app's log, read back from the store file after the server closed. */
async function storedLog(storage: string): Promise<string> {
  return AppStore.use({ app: app.dir, storage }, async (store) =>
    JSON.stringify(await store.logs.query({ limit: 100_000 })),
  );
}

function captureConsole(): { text: () => string } {
  const written: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, "write").mockImplementation((chunk: unknown) => {
      written.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString());
      return true;
    });
  }
  return { text: () => written.join("") };
}

async function json(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}

function tokenOf(link: URL): { token: string; tokenId: string } {
  return {
    token: link.searchParams.get("token") ?? "",
    tokenId: link.searchParams.get("tokenId") ?? "",
  };
}

describe("account secrets", () => {
  it("never appear in the log store or on the console, whatever the auth flow", async () => {
    const console = captureConsole();
    const { server, storage, call } = await start({
      mail: { smtpUrl: smtp.url, from: "Cars <cars@example.org>" },
    });
    const email = "secretive@example.org";
    const firstPassword = "first-password-7f3a";
    const secondPassword = "second-password-91bc";
    const wrongPassword = "wrong-password-c0de";
    const secrets: string[] = [firstPassword, secondPassword, wrongPassword];

    expect(
      (
        await call("/app/auth/providers/local-userpass/register", {
          body: { email, password: firstPassword },
        })
      ).status,
    ).toBe(201);
    const firstConfirmation = smtp.lastLinkTo(email);
    expect(firstConfirmation.origin + firstConfirmation.pathname).toBe(CONFIRM_URL);
    expect(smtp.mails.at(-1)?.from).toBe("cars@example.org");
    expect(
      (await call("/app/auth/providers/local-userpass/confirm/send", { body: { email } })).status,
    ).toBe(200);
    const confirmation = tokenOf(smtp.lastLinkTo(email));
    secrets.push(tokenOf(firstConfirmation).token, confirmation.token);
    expect(
      (await call("/app/auth/providers/local-userpass/confirm", { body: confirmation })).status,
    ).toBe(200);

    const wrong = await call("/app/auth/providers/local-userpass/login", {
      body: { username: email, password: wrongPassword },
    });
    expect(wrong.status).toBe(401);
    const login = await json(
      await call("/app/auth/providers/local-userpass/login", {
        body: { username: email, password: firstPassword },
      }),
    );
    const refreshToken = String(login.refresh_token);
    secrets.push(String(login.access_token), refreshToken);
    const refreshed = await json(await call("/auth/session", { bearer: refreshToken }));
    secrets.push(String(refreshed.access_token));

    const key = await json(
      await call("/auth/api_keys", { bearer: refreshToken, body: { name: "ci" } }),
    );
    secrets.push(String(key.key));
    const keyLogin = await json(
      await call("/app/auth/providers/api-key/login", { body: { key: key.key } }),
    );
    secrets.push(String(keyLogin.access_token), String(keyLogin.refresh_token));
    expect(
      (await call("/app/auth/providers/api-key/login", { body: { key: "not-the-key-0000" } }))
        .status,
    ).toBe(401);

    expect(
      (await call("/app/auth/providers/local-userpass/reset/send", { body: { email } })).status,
    ).toBe(200);
    const resetLink = smtp.lastLinkTo(email);
    expect(resetLink.origin + resetLink.pathname).toBe(RESET_URL);
    const reset = tokenOf(resetLink);
    secrets.push(reset.token);
    expect(
      (
        await call("/app/auth/providers/local-userpass/reset", {
          body: { ...reset, password: secondPassword },
        })
      ).status,
    ).toBe(200);
    const again = await json(
      await call("/app/auth/providers/local-userpass/login", {
        body: { username: email, password: secondPassword },
      }),
    );
    secrets.push(String(again.access_token), String(again.refresh_token));
    expect((await call("/auth/session", { method: "DELETE", bearer: refreshToken })).status).toBe(
      204,
    );
    expect(
      (await call("/auth/delete", { method: "DELETE", bearer: String(again.access_token) })).status,
    ).toBe(204);
    await server.close();

    const log = await storedLog(storage);
    expect(log).toContain("email/password reset/send");
    expect(console.text()).toContain("email/password reset/send");
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(log).not.toContain(secret);
      expect(console.text()).not.toContain(secret);
    }
  });

  it("without a mail server, a reset send fails with an error naming the setting, not the token", async () => {
    const console = captureConsole();
    const { server, storage, call } = await start();
    const registered = await call("/app/auth/providers/local-userpass/register", {
      body: { email: "also-unmailed@example.org", password: "some-password" },
    });
    expect(registered.status).toBe(500);
    const resent = await call("/app/auth/providers/local-userpass/reset/send", {
      body: { email: "also-unmailed@example.org" },
    });
    expect(resent.status).toBe(404);
    await server.close();
    const log = await storedLog(storage);
    expect(log).toContain("no mail server is configured");
    expect(await json(registered)).toMatchObject({ error_code: "InternalServerError" });
    for (const text of [log, console.text()]) {
      expect(text).not.toContain("token=");
      expect(text).not.toContain("tokenId");
    }
  });

  it("when the mail server refuses, a reset send fails with its reason in the log, not the token", async () => {
    const console = captureConsole();
    const refusing = await startTestSmtpServer({ refuseRecipients: true });
    try {
      const { server, storage, call } = await start({ mail: { smtpUrl: refusing.url } });
      const email = "bounced@example.org";
      expect(
        (
          await call("/app/auth/providers/local-userpass/register", {
            body: { email, password: "some-password" },
          })
        ).status,
      ).toBe(500);
      await server.close();
      const log = await storedLog(storage);
      expect(log).toContain(`could not send the confirmation email to ${email}`);
      expect(log).toContain("is unavailable");
      for (const text of [log, console.text()]) expect(text).not.toContain("token=");
    } finally {
      await refusing.close();
    }
  });

  it("prints links to the console with the development switch, and keeps them out of the log store", async () => {
    const console = captureConsole();
    const printed: string[] = [];
    const { server, storage, call } = await start({
      mail: { devPrintLinks: true, print: (line) => printed.push(line) },
    });
    const email = "developer@example.org";
    expect(
      (
        await call("/app/auth/providers/local-userpass/register", {
          body: { email, password: "dev-password" },
        })
      ).status,
    ).toBe(201);
    const line = printed.at(-1) ?? "";
    expect(line).toContain(`confirmation link for ${email}: ${CONFIRM_URL}?token=`);
    const link = new URL(line.slice(line.indexOf(CONFIRM_URL)));
    expect(
      (await call("/app/auth/providers/local-userpass/confirm", { body: tokenOf(link) })).status,
    ).toBe(200);
    await server.close();
    expect(await storedLog(storage)).not.toContain(tokenOf(link).token);
    // Printed through the development printer only, not through the server's logger.
    expect(console.text()).not.toContain(tokenOf(link).token);
  });
});
