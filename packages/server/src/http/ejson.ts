/**
 * Extended JSON at the HTTP boundary. Clients send canonical EJSON; it is parsed keeping
 * every type, then numbers are normalised to the data layer's convention (int32 and double
 * become JS numbers, int64 a JS number when safe). Responses go out as canonical EJSON with
 * `null` for `undefined`, since realm-core's parser has no `$undefined`.
 */
import { AppError } from "@atoll/protocol";
import { Double, EJSON, Int32, Long } from "bson";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

export function normaliseNumbers(value: unknown): unknown {
  if (value instanceof Int32 || value instanceof Double) return value.valueOf();
  if (value instanceof Long) {
    const asNumber = value.toNumber();
    return Number.isSafeInteger(asNumber) ? asNumber : value;
  }
  if (Array.isArray(value)) return value.map(normaliseNumbers);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) out[key] = normaliseNumbers(entry);
    return out;
  }
  return value;
}

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
    return normaliseNumbers(EJSON.deserialize(json as Record<string, unknown>, { relaxed: false }));
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

/**
 * The data layer keeps an int64 as a JS number only when it is a safe integer, so a JS number
 * beyond that range is a double; the bson serializer would call it `$numberLong`.
 */
function markUnsafeIntegersAsDoubles(value: unknown): unknown {
  if (typeof value === "number")
    return Number.isInteger(value) && !Number.isSafeInteger(value) ? new Double(value) : value;
  if (Array.isArray(value)) return value.map(markUnsafeIntegersAsDoubles);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) out[key] = markUnsafeIntegersAsDoubles(entry);
    return out;
  }
  return value;
}

export function toCanonicalEjson(value: unknown): string {
  try {
    return EJSON.stringify(value === undefined ? null : markUnsafeIntegersAsDoubles(value), {
      relaxed: false,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError(
      "InternalServerError",
      `result cannot be encoded as Extended JSON: ${reason}`,
      { cause: error },
    );
  }
}
