/**
 * Names a client supplies (auth provider, email/password action, function, service, service
 * action, API key, app) are looked up as own entries only: every name `Object.prototype`
 * carries is as unknown as any other and gets that route's 404, never a 200 or a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AtollServer } from "../AtollServer.js";
import { RawClient, type Login, type RawResponse } from "./test-support/rawClient.js";
import { TEST_APP_DIR } from "./test-support/standInServer.js";

const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype);

let server: AtollServer;
let client: RawClient;
let login: Login;
beforeAll(async () => {
  server = await AtollServer.start({
    appDir: TEST_APP_DIR,
    port: 0,
    storage: "memory",
    logLevel: "silent",
  });
  client = new RawClient({ api: `${server.url}/api/client/v2.0`, appId: server.appId });
  login = await client.anonymousLogin();
});
afterAll(() => server.close());

const post = (path: string, body: unknown, token?: string): Promise<RawResponse> =>
  client.call(path, {
    method: "POST",
    body: JSON.stringify(body),
    ...(token === undefined ? {} : { token }),
  });

const callFunction = (body: unknown) =>
  post(client.appPath("/functions/call"), body, login.access_token);

/** One route that takes a client-supplied name, and the 404 code it answers an unknown one with. */
interface NamedRoute {
  readonly route: string;
  readonly code: string;
  readonly request: (name: string) => Promise<RawResponse>;
}

const ROUTES: readonly NamedRoute[] = [
  {
    route: "auth provider login",
    code: "AuthProviderNotFound",
    request: (name) =>
      post(client.appPath(`/auth/providers/${encodeURIComponent(name)}/login`), {}),
  },
  {
    route: "email/password registration with a provider name",
    code: "AuthProviderNotFound",
    request: (name) =>
      post(client.appPath(`/auth/providers/${encodeURIComponent(name)}/register`), {
        email: "someone@example.com",
        password: "password1",
      }),
  },
  {
    route: "email/password action",
    code: "NotFound",
    request: (name) =>
      post(client.appPath(`/auth/providers/local-userpass/${encodeURIComponent(name)}`), {}),
  },
  {
    route: "function call",
    code: "FunctionNotFound",
    request: (name) => callFunction({ name, arguments: [] }),
  },
  {
    route: "service name",
    code: "ServiceNotFound",
    request: (name) =>
      callFunction({
        service: name,
        name: "find",
        arguments: [{ database: "db", collection: "things" }],
      }),
  },
  {
    route: "service action",
    code: "ServiceCommandNotFound",
    request: (name) =>
      callFunction({
        service: "mongodb-atlas",
        name,
        arguments: [{ database: "db", collection: "things" }],
      }),
  },
  {
    route: "streamed service name",
    code: "ServiceNotFound",
    request: (name) => {
      const request = Buffer.from(
        JSON.stringify({
          service: name,
          name: "watch",
          arguments: [{ database: "db", collection: "things" }],
        }),
      ).toString("base64");
      return client.call(
        client.appPath(`/functions/call?baas_request=${encodeURIComponent(request)}`),
        {
          token: login.access_token,
        },
      );
    },
  },
  {
    route: "API key",
    code: "APIKeyNotFound",
    request: (name) =>
      client.call(`/auth/api_keys/${encodeURIComponent(name)}`, { token: login.refresh_token }),
  },
  {
    route: "app id",
    code: "AppNotFound",
    request: (name) => client.call(`/app/${encodeURIComponent(name)}/location`),
  },
];

describe("names from Object.prototype", () => {
  for (const { route, code, request } of ROUTES) {
    it(`are unknown to the ${route} route: 404 ${code}`, async () => {
      const answers: { name: string; status: number; body: unknown }[] = [];
      for (const name of PROTOTYPE_NAMES) {
        const response = await request(name);
        answers.push({ name, status: response.status, body: response.body });
      }
      expect(answers).toEqual(
        PROTOTYPE_NAMES.map((name) => ({
          name,
          status: 404,
          body: expect.objectContaining({ error_code: code }) as unknown,
        })),
      );
      await client.expectStillServing();
    });
  }
});
