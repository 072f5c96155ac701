/**
 * Canonical Extended JSON as client and server exchange it over HTTP, with the number
 * convention both ends share: on decode int32 and double become JS numbers and an int64 a JS
 * number when it is a safe integer (a larger one stays a `Long`); on encode a JS number stays a
 * double or int (an integral one beyond the safe range is written as a double, not an int64)
 * and `undefined` becomes `null`, since realm-core's parser has no `$undefined`.
 */
import { Double, EJSON, Int32, Long } from "bson";

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Applies `leaf` to every value that is not an array or a plain object, keeping the shape. */
function mapLeaves(value: unknown, leaf: (value: unknown) => unknown): unknown {
  if (Array.isArray(value)) return value.map((entry) => mapLeaves(entry, leaf));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    // defineProperty, not assignment: a "__proto__" key is data here, not the prototype.
    for (const [key, entry] of Object.entries(value)) {
      Object.defineProperty(out, key, {
        value: mapLeaves(entry, leaf),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return leaf(value);
}

/** int32 and double as JS numbers, an int64 as a JS number when it is a safe integer. */
export function normaliseNumbers(value: unknown): unknown {
  return mapLeaves(value, (leaf) => {
    if (leaf instanceof Int32 || leaf instanceof Double) return leaf.valueOf();
    if (leaf instanceof Long) {
      const asNumber = leaf.toNumber();
      return Number.isSafeInteger(asNumber) ? asNumber : leaf;
    }
    return leaf;
  });
}

/** bson would write an integral JS number beyond the safe range as an int64; it is a double. */
function markUnsafeIntegersAsDoubles(value: unknown): unknown {
  return mapLeaves(value, (leaf) =>
    typeof leaf === "number" && Number.isInteger(leaf) && !Number.isSafeInteger(leaf)
      ? new Double(leaf)
      : leaf,
  );
}

/** Canonical EJSON text of `value` (`null` for `undefined`). */
export function stringifyCanonicalEjson(value: unknown): string {
  return EJSON.stringify(value === undefined ? null : markUnsafeIntegersAsDoubles(value), {
    relaxed: false,
  });
}

/** Decodes an already JSON-parsed EJSON value, keeping every type, then normalises numbers. */
export function deserializeEjson(json: unknown): unknown {
  if (typeof json !== "object" || json === null) return json;
  return normaliseNumbers(EJSON.deserialize(json, { relaxed: false }));
}
