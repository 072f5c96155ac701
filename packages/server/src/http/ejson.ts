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

/** Parses canonical (or relaxed) EJSON text; malformed text is `BadRequest`. */
export function parseEjson(text: string): unknown {
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

export function parseEjsonObject(text: string, what = "request body"): Record<string, unknown> {
  const value = text.trim() === "" ? {} : parseEjson(text);
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
