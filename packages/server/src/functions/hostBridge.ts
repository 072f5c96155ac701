/**
 * The host functions one sandbox context may call, for one call frame. They take an
 * operation name and a string payload and answer "R" + result or "E" + JSON `{message, code}`;
 * they never throw or reject (a rejection would surface on the host, not in the sandbox).
 *
 * Once the frame has finished, asynchronous operations are never answered: a call that left
 * work pending (a timer, an unawaited query) cannot resume inside the isolate after its
 * result was delivered, so nothing of it can run while the isolate serves the next call.
 */
import { AppError } from "@atoll/protocol";
import { cryptoOperation, randomHex } from "./cryptoOps.js";
import type { HostBridge } from "./sandbox/invokeInIsolate.js";

/** Largest payload the sandbox may send in one host call (arguments of a query, a log line...). */
export const MAX_PAYLOAD_CHARS = 16 * 1024 * 1024;

export interface FrameState {
  finished: boolean;
  readonly deadline: number;
}

export interface BridgeHandlers {
  /** Records a console line; false once the output is closed. */
  log(level: string, line: string): boolean;
  /** A collection call: EJSON `{service, database, collection, method, args}` in, EJSON `{v}` out. */
  db(payload: string): Promise<string>;
  /** `context.functions.execute`: EJSON `{name, args}` in, EJSON `{v}` out. */
  execute(payload: string): Promise<string>;
  /** `context.http`: JSON request in, JSON response out (functionHttp.ts). */
  http(payload: string): Promise<string>;
  /** `require`: JSON `{from?, request}` in, JSON `{id, source}` out. */
  module(payload: string): string;
}

/** A fresh promise that never settles (a shared one would keep every caller waiting on it alive). */
const never = () => new Promise<string>(() => undefined);

export function createHostBridge(handlers: BridgeHandlers, frame: FrameState): HostBridge {
  const sync = (op: unknown, payload: unknown): string => {
    try {
      const text = checkedPayload(payload);
      switch (op) {
        case "random":
          return `R${randomHex(text)}`;
        case "log": {
          const [level, line] = JSON.parse(text) as unknown[];
          return handlers.log(String(level), String(line)) ? "Rok" : "Rclosed";
        }
        case "crypto":
          return `R${cryptoOperation(text)}`;
        case "module":
          return `R${handlers.module(text)}`;
        default:
          throw new AppError("InvalidParameter", `unknown host operation '${String(op)}'`);
      }
    } catch (error) {
      return failure(error);
    }
  };

  const async = async (op: unknown, payload: unknown): Promise<string> => {
    if (frame.finished) return never();
    let reply: string;
    try {
      const text = checkedPayload(payload);
      switch (op) {
        case "db":
          reply = `R${await handlers.db(text)}`;
          break;
        case "execute":
          reply = `R${await handlers.execute(text)}`;
          break;
        case "http":
          reply = `R${await handlers.http(text)}`;
          break;
        case "sleep":
          await sleep(Math.min(Number(text) || 0, frame.deadline - Date.now()));
          reply = "R";
          break;
        default:
          throw new AppError("InvalidParameter", `unknown host operation '${String(op)}'`);
      }
    } catch (error) {
      reply = failure(error);
    }
    return frame.finished ? never() : reply;
  };

  return { sync, async };
}

function checkedPayload(payload: unknown): string {
  if (typeof payload !== "string")
    throw new AppError("InvalidParameter", "host calls take a string payload");
  if (payload.length > MAX_PAYLOAD_CHARS) {
    throw new AppError(
      "PayloadTooLarge",
      `the data passed out of the function is too large: ${payload.length} characters, the limit is ${MAX_PAYLOAD_CHARS}`,
    );
  }
  return payload;
}

function failure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof AppError ? error.code : undefined;
  return `E${JSON.stringify({ message, ...(code === undefined ? {} : { code }) })}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
