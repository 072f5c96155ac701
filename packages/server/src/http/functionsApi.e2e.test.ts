/**
 * `functions/call` over real HTTP, with stand-ins for the data layer and the sandbox:
 * canonical EJSON in and out, typed service results, function errors, the body limit, and
 * the streaming watch (SSE framing, heartbeat, token in `baas_at`).
 */
import { describe, expect, it, vi } from "vitest";
import { useStandInServer } from "./test-support/standInServer.js";

const env = useStandInServer();

describe("functions/call", () => {
  it("takes and returns canonical EJSON, with null for undefined", async () => {
    const login = await env.client.anonymousLogin();
    const sum = await env.client.callFunction(login.access_token, "sum", [
      { $numberInt: "2" },
      { $numberDouble: "0.5" },
    ]);
    expect(sum.status).toBe(200);
    expect(sum.type).toBe("application/json");
    expect(sum.body).toEqual({ $numberDouble: "2.5" });
    const nothing = await env.client.callFunction(login.access_token, "onUserCreation");
    expect(nothing.body).toMatchObject({ error_code: "FunctionNotFound" });
  });

  it("answers unknown and private functions with 404 FunctionNotFound, a throw with its message", async () => {
    const login = await env.client.anonymousLogin();
    const unknown = await env.client.callFunction(login.access_token, "noSuchFunction");
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error_code: "FunctionNotFound" });
    const hidden = await env.client.callFunction(login.access_token, "secretRecipe");
    expect(hidden.status).toBe(404);
    expect(hidden.body).toMatchObject({ error_code: "FunctionNotFound" });
    const thrown = await env.client.callFunction(login.access_token, "boom");
    expect(thrown.status).toBe(400);
    expect(thrown.body).toMatchObject({
      error_code: "FunctionExecutionError",
      error: "boom: the function failed on purpose",
    });
    await env.client.expectStillServing();
  });

  it("refuses a body over the limit with 413 PayloadTooLarge and keeps serving", async () => {
    const login = await env.client.anonymousLogin();
    const huge = JSON.stringify({ name: "sum", arguments: ["x".repeat(19 * 1024 * 1024)] });
    const result = await env.client.call(env.client.appPath("/functions/call"), {
      method: "POST",
      token: login.access_token,
      body: huge,
    });
    expect(result.status).toBe(413);
    expect(result.type).toBe("application/json");
    expect(result.body).toMatchObject({ error_code: "PayloadTooLarge" });
    await env.client.expectStillServing();
  });

  it("types service results as realm-core reads them: Int32 write counts, Int64 count", async () => {
    const login = await env.client.anonymousLogin();
    const action = (name: string, extra: Record<string, unknown>) =>
      env.client.call(env.client.appPath("/functions/call"), {
        method: "POST",
        token: login.access_token,
        body: JSON.stringify({
          service: "mongodb-atlas",
          name,
          arguments: [{ database: "typed", collection: "counts", ...extra }],
        }),
      });
    expect(
      (await action("insertOne", { document: { _id: "a", n: { $numberInt: "1" } } })).body,
    ).toEqual({ insertedId: "a" });
    expect((await action("count", { query: {} })).body).toEqual({ $numberLong: "1" });
    expect(
      (await action("updateOne", { query: { _id: "a" }, update: { $set: { n: 2 } } })).body,
    ).toEqual({
      matchedCount: { $numberInt: "1" },
      modifiedCount: { $numberInt: "1" },
    });
    expect((await action("findOne", { query: { _id: "a" } })).body).toEqual({
      _id: "a",
      n: { $numberInt: "2" },
    });
    expect((await action("deleteMany", { query: {} })).body).toEqual({
      deletedCount: { $numberInt: "1" },
    });
    expect((await action("findOne", { query: { _id: "a" } })).body).toBeNull();
    const badLimit = await action("find", { query: {}, limit: "ten" });
    expect(badLimit.body).toMatchObject({ error_code: "InvalidParameter" });
  });

  it("refuses unknown services and unknown service actions", async () => {
    const login = await env.client.anonymousLogin();
    const body = (service: string, name: string) =>
      JSON.stringify({ service, name, arguments: [{ database: "d", collection: "c" }] });
    const service = await env.client.call(env.client.appPath("/functions/call"), {
      method: "POST",
      token: login.access_token,
      body: body("no-such-service", "find"),
    });
    expect(service.body).toMatchObject({ error_code: "ServiceNotFound" });
    const action = await env.client.call(env.client.appPath("/functions/call"), {
      method: "POST",
      token: login.access_token,
      body: body("mongodb-atlas", "dropDatabase"),
    });
    expect(action.body).toMatchObject({ error_code: "ServiceCommandNotFound" });
    const reserved = await env.client.call(env.client.appPath("/functions/call"), {
      method: "POST",
      token: login.access_token,
      body: JSON.stringify({
        service: "mongodb-atlas",
        name: "find",
        arguments: [{ database: "__atoll", collection: "users" }],
      }),
    });
    expect(reserved.status).toBe(400);
  });

  it("logs every request and function call with the user and the outcome", async () => {
    const login = await env.client.anonymousLogin();
    await env.client.callFunction(login.access_token, "sum", [1, 1]);
    await env.client.callFunction(login.access_token, "boom");
    const mine = env.server.logEntries.filter((entry) => entry.userId === login.user_id);
    expect(mine.filter((entry) => entry.type === "function").map((entry) => entry.outcome)).toEqual(
      ["ok", "error"],
    );
    expect(mine.some((entry) => entry.type === "auth" && entry.outcome === "ok")).toBe(true);
    expect(mine.filter((entry) => entry.type === "request").length).toBeGreaterThanOrEqual(2);
  });
});

describe("streaming watch", () => {
  function watchUrl(request: Record<string, unknown>, token?: string): string {
    const encoded = encodeURIComponent(Buffer.from(JSON.stringify(request)).toString("base64"));
    return `${env.server.api}${env.client.appPath("/functions/call")}?baas_request=${encoded}${token === undefined ? "" : `&baas_at=${token}`}`;
  }

  async function nextChunk(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
    const { value } = await reader.read();
    return new TextDecoder().decode(value);
  }

  it("streams change events as server-sent events, with the token in baas_at", async () => {
    const login = await env.client.anonymousLogin();
    const controller = new AbortController();
    const response = await fetch(
      watchUrl(
        {
          service: "mongodb-atlas",
          name: "watch",
          arguments: [{ database: "cars-db", collection: "Car" }],
        },
        login.access_token,
      ),
      { headers: { Accept: "text/event-stream" }, signal: controller.signal },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(await nextChunk(reader)).toMatch(/^:/);
    await env.server.data
      .db("cars-db")
      .collection("Car")
      .insertOne({ _id: "car-1", make: "Volvo\nEstate", miles: 5 });
    const frame = await nextChunk(reader);
    expect(frame.startsWith("data: ") && frame.endsWith("\n\n")).toBe(true);
    const payload = JSON.parse(decodeURIComponent(frame.slice("data: ".length).trim())) as Record<
      string,
      unknown
    >;
    expect(payload).toMatchObject({
      operationType: "insert",
      ns: { db: "cars-db", coll: "Car" },
      documentKey: { _id: "car-1" },
      fullDocument: { _id: "car-1", make: "Volvo\nEstate", miles: { $numberInt: "5" } },
    });
    controller.abort();
    await env.client.expectStillServing();
  });

  it("keeps an idle stream alive with a comment every 20 seconds", async () => {
    const login = await env.client.anonymousLogin();
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const controller = new AbortController();
    const response = await fetch(
      watchUrl(
        {
          service: "mongodb-atlas",
          name: "watch",
          arguments: [{ database: "cars-db", collection: "Idle" }],
        },
        login.access_token,
      ),
      { signal: controller.signal },
    );
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(await nextChunk(reader)).toBe(": subscribed\n\n");
    vi.advanceTimersByTime(20_000);
    expect(await nextChunk(reader)).toBe(":\n\n");
    controller.abort();
  });

  it("answers a bad streaming request with a JSON error instead of a stream", async () => {
    const login = await env.client.anonymousLogin();
    const garbage = await fetch(
      `${env.server.api}${env.client.appPath("/functions/call")}?baas_request=%%%&baas_at=${login.access_token}`,
    );
    expect(garbage.status).toBe(400);
    expect(garbage.headers.get("content-type")).toBe("application/json");
    const notWatch = await fetch(
      watchUrl(
        { service: "mongodb-atlas", name: "find", arguments: [{ database: "d", collection: "c" }] },
        login.access_token,
      ),
    );
    expect(notWatch.status).toBe(400);
    const noToken = await fetch(
      watchUrl({
        service: "mongodb-atlas",
        name: "watch",
        arguments: [{ database: "d", collection: "c" }],
      }),
    );
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toMatchObject({ error_code: "InvalidSession" });
  });
});
