/**
 * Reading a watch stream whatever its chunking: events split across chunks (even inside a
 * multi-byte character or between CR and LF), escaped newlines and percent signs in the data,
 * comments skipped, and an error event ending the stream with the server's error.
 */
import { describe, expect, it } from "vitest";
import { AppError } from "./AppError.js";
import { changeEvents } from "./changeEvents.js";

async function* chunked(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let start = 0; start < bytes.length; start += size) yield bytes.slice(start, start + size);
}

async function collect(text: string, size: number): Promise<unknown[]> {
  const events: unknown[] = [];
  for await (const event of changeEvents(chunked(text, size))) events.push(event);
  return events;
}

const STREAM =
  ": subscribed\r\n\r\n" +
  'data: {"make":"Volvo\\nEstate",%0A"note":"100%25 ok","n":{"$numberLong":"5"}}\r\n\r\n' +
  ":\n\n" +
  'data: {"make":"Škoda"}\n\n';

describe("changeEvents", () => {
  it("decodes the same events whatever the chunk size", async () => {
    const expected = [{ make: "Volvo\nEstate", note: "100% ok", n: 5 }, { make: "Škoda" }];
    for (const size of [1, 2, 3, 7, 64, 4096])
      expect(await collect(STREAM, size)).toEqual(expected);
  });

  it("ends with the server's error when an error event arrives", async () => {
    const failing = `${STREAM}event: error\ndata: {"error_code":"InternalServerError","error":"feed lost"}\n\n`;
    const events: unknown[] = [];
    let failure: unknown;
    try {
      for await (const event of changeEvents(chunked(failing, 5))) events.push(event);
    } catch (error) {
      failure = error;
    }
    expect(events).toHaveLength(2);
    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({ errorCode: "InternalServerError", message: "feed lost" });
  });
});
