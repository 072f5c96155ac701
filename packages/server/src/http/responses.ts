/**
 * Response builders. `Content-Type` is exactly `application/json` (realm-core reads error
 * bodies only under that exact type), and errors have the App Services shape
 * `{error, error_code, link}` with the status of their catalogue entry.
 */
import { AppError } from "@atoll/protocol";
import { toCanonicalEjson } from "./ejson.js";

/**
 * A fresh headers object for every response: the node adapter keeps the init object and
 * writes into it (`Content-Length` among others), so one object shared between responses
 * would carry one response's length onto the next.
 */
function jsonHeaders(): Record<string, string> {
  return { "Content-Type": "application/json" };
}

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: jsonHeaders() });
}

export function ejsonResponse(value: unknown, status = 200): Response {
  return new Response(toCanonicalEjson(value), { status, headers: jsonHeaders() });
}

export function emptyResponse(status = 204): Response {
  return new Response(null, { status });
}

/** Anything that is not an AppError is a server fault: 500, with the details left to the log. */
export function asAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new AppError("InternalServerError", "internal server error", { cause: error });
}

/** A throttled request (`details.retryAfterSeconds`) also says when to come back (`Retry-After`). */
export function errorResponse(error: AppError): Response {
  const retryAfter = error.details?.retryAfterSeconds;
  return new Response(JSON.stringify({ error: error.message, error_code: error.code, link: "" }), {
    status: error.httpStatus,
    headers:
      typeof retryAfter === "number"
        ? { ...jsonHeaders(), "Retry-After": String(retryAfter) }
        : jsonHeaders(),
  });
}
