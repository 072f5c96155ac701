import type { ValueType } from "../bind/bound.js";
import { RqlUnsupportedError } from "../errors.js";
import { bytesOf, kindOf, toJsNumber } from "../evaluate/values.js";
import { child } from "./dialect.js";
import type { JsonSource, SqlDialect } from "./dialect.js";

/**
 * How a stored value of one schema type is read: a check that the document holds it in this form
 * (never NULL), its SQL value, and how constants compared with it become parameters.
 */
export interface Reading {
  guard: string;
  value: string;
  ordered: string;
  parameter: "json-number" | "text" | "count";
  toParameter: (constant: unknown) => number | string;
  orderable: boolean;
  /** for a wrapped form: an index-friendly test that the field holds an object, checked once for all wrapped forms */
  wrapped?: string;
}

/**
 * The forms a value of `type` may be stored in, as readings. Numbers and dates have more than
 * one: relaxed EJSON writes NaN, ±Infinity and -0 as `{"$numberDouble": …}`, dates outside
 * 1970–9999 as `{"$date": {"$numberLong": ms}}`, and other writers (the server's codec) use those
 * wrapped forms more widely, for int64 beyond 2^53 (`{"$numberLong": …}`) and for every date.
 */
export function readingsOf(dialect: SqlDialect, source: JsonSource, type: ValueType): Reading[] {
  const text = (
    at: JsonSource,
    toParameter: (c: unknown) => string,
    orderable = true,
    normalise = (v: string) => v,
  ): Reading => {
    const value = normalise(dialect.textValue(at));
    return {
      guard: dialect.hasJsonType(at, ["string"]),
      value,
      ordered: dialect.ordered(value),
      parameter: "text",
      toParameter,
      orderable,
    };
  };
  const wrappedNumber = (
    field: JsonSource,
    at: JsonSource,
    value: string,
    toParameter: (c: unknown) => number,
  ): Reading => ({
    guard: `(${dialect.hasJsonType(at, ["string"])} AND ${value} IS NOT NULL)`,
    wrapped: dialect.objectRange(field),
    value,
    ordered: value,
    parameter: "count",
    toParameter,
    orderable: true,
  });
  switch (type) {
    case "int":
    case "float":
    case "double": {
      const value = dialect.numberValue(source);
      const toParameter = (c: unknown) => numberOf({ value: c });
      const double = child(source, "$numberDouble");
      const long = child(source, "$numberLong");
      return [
        {
          guard: dialect.hasJsonType(source, ["number"]),
          value,
          ordered: value,
          parameter: "json-number",
          toParameter,
          orderable: true,
        },
        wrappedNumber(
          source,
          double,
          dialect.doubleFromText(dialect.textValue(double)),
          toParameter,
        ),
        wrappedNumber(source, long, dialect.integerFromText(dialect.textValue(long)), toParameter),
      ];
    }
    case "string":
      return [text(source, (c) => expect(c, "string", (s) => s as string))];
    case "date": {
      const long = child(child(source, "$date"), "$numberLong");
      return [
        // Relaxed EJSON drops ".000" for whole seconds; without the "Z" both forms order as text.
        text(
          child(source, "$date"),
          (c) => expect(c, "date", (d) => isoDate(d as Date)),
          true,
          (v) => `rtrim(${v}, 'Z')`,
        ),
        wrappedNumber(
          child(source, "$date"),
          long,
          dialect.integerFromText(dialect.textValue(long)),
          (c) => expect(c, "date", (d) => (d as Date).getTime()),
        ),
      ];
    }
    case "objectId":
      return [text(child(source, "$oid"), (c) => expect(c, "objectId", (o) => String(o)))];
    case "uuid":
    case "data": {
      const bytes = (c: unknown) =>
        expect(c, type === "uuid" ? "uuid" : "binary", (b) =>
          Buffer.from(bytesOf(b)).toString("base64"),
        );
      return [text(child(child(source, "$binary"), "base64"), bytes, false)];
    }
    default:
      throw new RqlUnsupportedError(`Comparisons on ${type} properties are not compiled to SQL`);
  }
}

export function numberOf(constant: { value: unknown }): number {
  if (kindOf(constant.value) !== "number")
    throw new RqlUnsupportedError(
      "Only plain numbers compare with numeric properties in SQL (not decimal128)",
    );
  const value = toJsNumber(constant.value);
  // A bigint or Long beyond 2^53 would be rounded; infinities have no JSON form.
  if (
    !Number.isFinite(value) ||
    (typeof constant.value !== "number" && !Number.isSafeInteger(value))
  ) {
    throw new RqlUnsupportedError(`The number ${value} is not compiled to SQL exactly`);
  }
  return value;
}

function expect<T>(
  value: unknown,
  kind: ReturnType<typeof kindOf>,
  convert: (value: unknown) => T,
): T {
  if (kindOf(value) !== kind)
    throw new RqlUnsupportedError(
      `A ${kindOf(value)} constant compared with a ${kind} property is not compiled to SQL`,
    );
  return convert(value);
}

/** A date as relaxed EJSON writes it, without the trailing "Z". */
function isoDate(date: Date): string {
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999)
    throw new RqlUnsupportedError("Dates outside the years 0–9999 are not compiled to SQL");
  const iso = date.toISOString();
  return date.getUTCMilliseconds() === 0 ? iso.slice(0, 19) : iso.slice(0, 23);
}
