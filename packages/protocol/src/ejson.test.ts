import { Long } from "bson";
import { describe, expect, it } from "vitest";
import { deserializeEjson, normaliseNumbers, stringifyCanonicalEjson } from "./ejson.js";

describe("shared EJSON helpers", () => {
  it("keep a __proto__ key as data, at every depth", () => {
    const parsed = JSON.parse('{"__proto__": [1], "a": {"__proto__": {"$numberInt": "2"}}}');
    const decoded = deserializeEjson(parsed) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(["__proto__", "a"]);
    expect(JSON.stringify(decoded)).toBe('{"__proto__":[1],"a":{"__proto__":2}}');
  });

  it("give a safe int64 as a number and keep a wider one as a Long", () => {
    expect(
      normaliseNumbers({ small: Long.fromNumber(7), wide: Long.fromString("9007199254740993") }),
    ).toEqual({ small: 7, wide: Long.fromString("9007199254740993") });
  });

  it("write an integral double beyond 2^53 with its exact digits", () => {
    expect(stringifyCanonicalEjson(2 ** 60)).toBe('{"$numberDouble":"1152921504606846976.0"}');
  });
});
