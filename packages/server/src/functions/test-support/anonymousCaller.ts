/**
 * A server (storage in memory) on an app written from `files`, started before the file's tests
 * and closed after them, with an anonymous user who calls its functions over HTTP.
 */
import { afterAll, beforeAll } from "vitest";
import { AtollServer } from "../../AtollServer.js";
import { writeApp } from "../../config/test-support/appFixture.js";

export interface FunctionCaller {
  /** Calls `name` with `args` as the anonymous user; the HTTP status and the parsed body. */
  call(name: string, args: readonly unknown[]): Promise<{ status: number; body: unknown }>;
}

export function useAnonymousCaller(files: Readonly<Record<string, unknown>>): FunctionCaller {
  let app: { dir: string; remove: () => Promise<void> } | undefined;
  let server: AtollServer | undefined;
  let token = "";
  beforeAll(async () => {
    app = await writeApp(files);
    server = await AtollServer.start({
      appDir: app.dir,
      port: 0,
      storage: "memory",
      logLevel: "silent",
    });
    const login = await fetch(
      `${server.url}/api/client/v2.0/app/${server.appId}/auth/providers/anon-user/login`,
      { method: "POST", body: "{}" },
    );
    token = ((await login.json()) as { access_token: string }).access_token;
  });
  afterAll(async () => {
    await server?.close();
    await app?.remove();
  });
  return {
    async call(name, args) {
      const response = await fetch(
        `${server!.url}/api/client/v2.0/app/${server!.appId}/functions/call`,
        {
          method: "POST",
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
          body: JSON.stringify({ name, arguments: args }),
        },
      );
      return { status: response.status, body: await response.json() };
    },
  };
}
