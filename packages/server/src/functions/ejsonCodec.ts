/**
 * Values crossing the sandbox boundary, host side. Everything travels as canonical EJSON, so
 * every BSON type keeps its type; what arrives is normalised to the data layer's conventions
 * (`normaliseBson`). Results and host answers are wrapped as `{"v": value}` so that
 * top-level scalars travel as documents; `undefined` becomes `null`, as EJSON has no undefined.
 */
import { AppError, stringifyCanonicalEjson } from "@atoll/protocol";
import { EJSON } from "bson";
import { normaliseBson } from "../storage/normaliseBson.js";

/** Canonical EJSON; an integral number beyond 2^53 is a double (bson would misspell it as an int64). */
export function encodeCanonical(value: unknown): string {
  return stringifyCanonicalEjson(value);
}

export function encodeWrapped(value: unknown): string {
  return encodeCanonical({ v: value });
}

/** Parses EJSON text from the sandbox; `what` names it in the error. */
export function decodeCanonical(text: string, what: string): unknown {
  try {
    return normaliseBson(EJSON.parse(text, { relaxed: false }));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError("FunctionExecutionError", `${what} is not valid Extended JSON: ${reason}`, {
      cause: error,
    });
  }
}

export function decodeWrapped(text: string, what: string): unknown {
  const wrapper = decodeCanonical(text, what);
  return wrapper !== null && typeof wrapper === "object"
    ? (wrapper as { v?: unknown }).v
    : undefined;
}
