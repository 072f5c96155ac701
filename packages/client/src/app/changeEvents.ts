/**
 * Reading a `watch` stream: the server sends server-sent events, one change event per `data`
 * (canonical EJSON with `%`, newline and carriage return percent-escaped), an `event: error`
 * with `{error_code, error}` when the stream fails, and comment lines to keep it alive.
 */
import { AppError } from "./AppError.js";
import { decodeEjson } from "./ejson.js";

export interface ServerSentEvent {
  readonly event: string;
  readonly data: string;
}

function parseEvent(block: string): ServerSentEvent | undefined {
  let event = "message";
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line === "" || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const raw = colon < 0 ? "" : line.slice(colon + 1);
    const value = raw.startsWith(" ") ? raw.slice(1) : raw;
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  return data.length === 0 ? undefined : { event, data: data.join("\n") };
}

/** The events of a server-sent event stream, as its bytes arrive (comments skipped). */
export async function* serverSentEvents(
  chunks: AsyncIterable<Uint8Array>,
): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of chunks) {
    buffer += decoder.decode(chunk, { stream: true });
    // Line ends may be CRLF; a CR at the end of the buffer waits for what follows it.
    const settled = buffer.endsWith("\r") ? buffer.length - 1 : buffer.length;
    buffer = buffer.slice(0, settled).replace(/\r\n?/g, "\n") + buffer.slice(settled);
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const event = parseEvent(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (event) yield event;
    }
  }
}

const ESCAPES: Readonly<Record<string, string>> = { "25": "%", "0A": "\n", "0D": "\r" };

export function unescapeData(data: string): string {
  return data.replace(
    /%(25|0A|0D)/gi,
    (match, code: string) => ESCAPES[code.toUpperCase()] ?? match,
  );
}

/** The change events of a `watch` stream, EJSON-decoded; an error event ends it with an AppError. */
export async function* changeEvents<T>(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<T> {
  for await (const { event, data } of serverSentEvents(chunks)) {
    const text = unescapeData(data);
    if (event === "error") {
      let body: { error_code?: unknown; error?: unknown } = {};
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        // Not JSON: the text itself is the message.
      }
      throw new AppError({
        errorCode: typeof body.error_code === "string" ? body.error_code : "Unknown",
        error: typeof body.error === "string" ? body.error : text,
      });
    }
    if (event === "message") yield decodeEjson(text) as T;
  }
}
