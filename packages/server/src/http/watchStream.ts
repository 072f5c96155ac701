/**
 * The streaming `watch` action as Server-Sent Events: each change event is one
 * `data: <canonical EJSON>` event; a failure mid-stream is an `event: error` whose data is
 * `{error_code, error}`. Inside `data`, `%`, `\n` and `\r` are percent-escaped, the framing
 * realm-web and realm-core both decode. A comment line goes out as soon as the change feed is
 * subscribed, so the client's request resolves only once no later change can be missed, and
 * again every 20 s so that idle streams survive proxies that drop silent connections.
 */
import type { AppError } from "@atoll/protocol";
import type { ChangeEvent, ChangeStream } from "../data/types.js";
import { toCanonicalEjson } from "./ejson.js";
import { asAppError } from "./responses.js";

const encoder = new TextEncoder();
const HEARTBEAT_MS = 20_000;

export function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\n/g, "%0A").replace(/\r/g, "%0D");
}

/** The event as clients see it: the feed position becomes the resume token `_id`. */
function clientEvent(event: ChangeEvent): Record<string, unknown> {
  const { seq, ...rest } = event;
  return { _id: { _data: String(seq) }, ...rest };
}

export function sseErrorFrame(error: AppError): string {
  return `event: error\ndata: ${escapeData(JSON.stringify({ error_code: error.code, error: error.message }))}\n\n`;
}

export function sseResponse(stream: ChangeStream, onEnd: (error?: AppError) => void): Response {
  const iterator = stream[Symbol.asyncIterator]();
  let closed = false;
  let heartbeat: NodeJS.Timeout | undefined;
  const finish = (
    controller: ReadableStreamDefaultController<Uint8Array> | undefined,
    error?: AppError,
  ) => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    stream.close();
    if (controller !== undefined) {
      if (error !== undefined) controller.enqueue(encoder.encode(sseErrorFrame(error)));
      controller.close();
    }
    onEnd(error);
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(": subscribed\n\n"));
      heartbeat = setInterval(() => controller.enqueue(encoder.encode(":\n\n")), HEARTBEAT_MS);
      heartbeat.unref();
    },
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (closed) return;
        if (next.done === true) finish(controller);
        else
          controller.enqueue(
            encoder.encode(`data: ${escapeData(toCanonicalEjson(clientEvent(next.value)))}\n\n`),
          );
      } catch (error) {
        finish(controller, asAppError(error));
      }
    },
    cancel() {
      finish(undefined);
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-cache",
      Connection: "keep-alive",
    },
  });
}
