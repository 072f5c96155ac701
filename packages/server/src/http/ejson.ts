/**
 * Extended JSON at the HTTP boundary. Clients send canonical EJSON; it is checked, parsed
 * keeping every type, then numbers are normalised to the data layer's convention, the one
 * client and server share (`@atoll/protocol`'s ejson). Responses go out as canonical EJSON;
 * what cannot be encoded is an `InternalServerError`.
 */
import {
  AppError,
  deserializeEjson,
  isPlainObject,
  stringifyCanonicalEjson,
} from "@atoll/protocol";

const INT32 = /^-?\d{1,10}$/;
const DOUBLE = /^(-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|-?Infinity|NaN)$/;

/**
 * The bson parser accepts `{"$numberInt":"x"}` as 0, `{"$numberInt":"1.5"}` as 1 and a
 * garbage `$date` as an invalid Date; a client that sends those has a bug worth hearing
 * about, so these wrappers are checked first.
 */
function checkWrappers(value: unknown): void {
  if (typeof value !== "object" || value === null) return;
  if (Array.isArray(value)) {
    value.forEach(checkWrappers);
    return;
  }
  const record = value as Record<string, unknown>;
  const int = record.$numberInt;
  if (
    int !== undefined &&
    (typeof int !== "string" || !INT32.test(int) || Number(int) !== (Number(int) | 0))
  ) {
    throw new Error(`$numberInt ${JSON.stringify(int)} is not a 32-bit integer`);
  }
  const double = record.$numberDouble;
  if (double !== undefined && (typeof double !== "string" || !DOUBLE.test(double))) {
    throw new Error(`$numberDouble ${JSON.stringify(double)} is not a number`);
  }
  const date = record.$date;
  if (typeof date === "string" && Number.isNaN(Date.parse(date)))
    throw new Error(`$date ${JSON.stringify(date)} is not a date`);
  Object.values(record).forEach(checkWrappers);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Set([0x5b, 0x7b]); // [ {
const CLOSERS = new Set([0x5d, 0x7d]); // ] }

/**
 * Refuses text whose arrays and objects nest deeper than `limit`, in one pass over the text
 * that skips strings and needs no stack: parsing, EJSON decoding and everything after recurse
 * into nested values, and a 100 000-deep `[[[…` must be a 400 before any of them sees it.
 * Malformed text is left for the parser to describe.
 */
function checkNesting(text: string, limit: number): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (OPENERS.has(code)) {
      depth++;
      if (depth > limit)
        throw new AppError(
          "BadRequest",
          `failed to parse request body as Extended JSON: arrays and objects nest deeper than ${limit} levels`,
        );
    } else if (CLOSERS.has(code)) {
      depth--;
    }
  }
}

/**
 * Parses canonical (or relaxed) EJSON text nesting at most `depthLimit` levels; malformed or
 * too deeply nested text is `BadRequest`.
 */
export function parseEjson(text: string, depthLimit: number): unknown {
  checkNesting(text, depthLimit);
  try {
    const json: unknown = JSON.parse(text);
    checkWrappers(json);
    return deserializeEjson(json);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError("BadRequest", `failed to parse request body as Extended JSON: ${reason}`, {
      cause: error,
    });
  }
}

export function parseEjsonObject(
  text: string,
  depthLimit: number,
  what = "request body",
): Record<string, unknown> {
  const value = text.trim() === "" ? {} : parseEjson(text, depthLimit);
  if (!isPlainObject(value))
    throw new AppError("BadRequest", `expected the ${what} to be a JSON object`);
  return value;
}

export function toCanonicalEjson(value: unknown): string {
  try {
    return stringifyCanonicalEjson(value);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError(
      "InternalServerError",
      `result cannot be encoded as Extended JSON: ${reason}`,
      { cause: error },
    );
  }
}
