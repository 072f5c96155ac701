/**
 * Requests answered before their body has arrived — over the size limit, or refused before
 * the body is read — close their connection, so that the client's next request goes out on a
 * fresh one instead of being dropped with the old one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RawClient, type Login } from "./test-support/rawClient.js";
import { startStandInServer, type StandInServer } from "./test-support/standInServer.js";

const LIMIT = 64 * 1024;

let server: StandInServer;
let client: RawClient;
let login: Login;
beforeAll(async () => {
  server = await startStandInServer({ bodyLimitBytes: LIMIT });
  client = new RawClient(server);
  login = await client.anonymousLogin();
});
afterAll(() => server.close());

async function status(path: string, body: string, token?: string): Promise<number | string> {
  try {
    return (
      await client.call(client.appPath(path), {
        method: "POST",
        body,
        ...(token === undefined ? {} : { token }),
      })
    ).status;
  } catch (error) {
    return `failed: ${String((error as Error).cause ?? error)}`;
  }
}

const big = (bytes: number) => JSON.stringify({ name: "sum", arguments: ["x".repeat(bytes)] });
const sum = JSON.stringify({ name: "sum", arguments: [1, 2] });

describe("answers given before the body arrived", () => {
  it("leave the following requests of the same client unharmed", async () => {
    const answers: (number | string)[] = [];
    for (const early of [
      () => status("/functions/call", big(4 * LIMIT), login.access_token),
      () => status("/functions/call", big(LIMIT - 1_000), "not-a-token"),
      () => status("/functions/call", big(40 * LIMIT)),
    ]) {
      answers.push(await early());
      for (let i = 0; i < 3; i++)
        answers.push(await status("/functions/call", sum, login.access_token));
    }
    expect(answers).toEqual([413, 200, 200, 200, 401, 200, 200, 200, 413, 200, 200, 200]);
  });
});
