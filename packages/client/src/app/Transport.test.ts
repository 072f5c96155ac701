/**
 * The transport under injected faults (a fetch that answers what a broken proxy or server
 * would): every failure is an AppError with a status and code, and the location is asked
 * once, again only after a failure.
 */
import { describe, expect, it } from "vitest";
import { rejectionOf } from "../test-support/appClients.js";
import { Transport } from "./Transport.js";

const LOCATION = {
  hostname: "http://api.example",
  ws_hostname: "ws://api.example",
  sync_route: "ws://api.example/api/client/v2.0/app/cars/realm-sync",
};

/** A fetch that answers from a list, one answer per call, and records the URLs asked. */
function scripted(answers: (() => Response)[]): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  const fetchFn = (async (input: string | URL | Request) => {
    urls.push(String(input));
    const next = answers.shift();
    if (next === undefined) throw new TypeError("fetch failed");
    return next();
  }) as typeof fetch;
  return { fetch: fetchFn, urls };
}

const json =
  (body: unknown, status = 200) =>
  () =>
    new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

describe("Transport", () => {
  it("asks for the location once and sends requests to its hostname", async () => {
    const script = scripted([json(LOCATION), json({ $numberInt: "5" }), json({ ok: true })]);
    const transport = new Transport("cars", "http://base.example/", script.fetch);
    expect(
      await transport.request({
        method: "POST",
        path: "/functions/call",
        appScoped: true,
        body: {},
      }),
    ).toBe(5);
    expect(await transport.request({ method: "GET", path: "/auth/profile" })).toEqual({ ok: true });
    expect(script.urls).toEqual([
      "http://base.example/api/client/v2.0/app/cars/location",
      "http://api.example/api/client/v2.0/app/cars/functions/call",
      "http://api.example/api/client/v2.0/auth/profile",
    ]);
    expect((await transport.locate()).syncRoute).toBe(LOCATION.sync_route);
  });

  it("turns a network failure, a non-JSON error page and a bad location into AppErrors", async () => {
    const script = scripted([
      () => {
        throw new TypeError("fetch failed");
      },
      json({ hostname: "http://api.example" }),
      json(LOCATION),
      () => new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway" }),
      () => new Response("not json", { status: 200 }),
    ]);
    const transport = new Transport("cars", "http://base.example", script.fetch);
    expect(await rejectionOf(transport.locate())).toMatchObject({
      statusCode: 0,
      errorCode: "NetworkError",
    });
    expect(await rejectionOf(transport.locate())).toMatchObject({ errorCode: "MissingJsonKey" });
    const request = { method: "GET", path: "/auth/profile" } as const;
    expect(await rejectionOf(transport.request(request))).toMatchObject({
      statusCode: 502,
      errorCode: "HttpError",
      message: "502 Bad Gateway",
    });
    expect(await rejectionOf(transport.request(request))).toMatchObject({
      statusCode: 200,
      errorCode: "MalformedJson",
    });
  });

  it("derives the sync route from ws_hostname when the server leaves it out", async () => {
    const script = scripted([json({ hostname: "https://h", ws_hostname: "wss://h" })]);
    const transport = new Transport("my-app", "https://h", script.fetch);
    expect((await transport.locate()).syncRoute).toBe(
      "wss://h/api/client/v2.0/app/my-app/realm-sync",
    );
  });
});
