import type { BoundConstant, ValueType } from "../bind/bound.js";
import { RqlUnsupportedError } from "../errors.js";
import { isAscii } from "../evaluate/strings.js";
import { bytesOf, kindOf, toJsNumber } from "../evaluate/values.js";
import type { Operator } from "../parse/ast.js";
import { child } from "./dialect.js";
import type { JsonSource, JsonType, SqlDialect } from "./dialect.js";

type Bind = (value: number | string, kind: "json-number" | "text" | "count") => string;
interface Modifiers {
  caseInsensitive: boolean;
  diacriticInsensitive: boolean;
}

const NOT_NULL: readonly JsonType[] = ["number", "string", "true", "false", "object", "array"];
const SQL_OPERATOR: Partial<Record<Operator, string>> = { "<": "<", "<=": "<=", ">": ">", ">=": ">=" };

/** How a stored value of one schema type is read: its type check, its SQL value, its parameter kind. */
interface Reading {
  guard: string;
  value: string;
  ordered: string;
  parameter: "json-number" | "text" | "count";
  toParameter: (constant: unknown) => number | string;
  orderable: boolean;
}

/**
 * Comparisons of one stored scalar with constants. Each test is `comparison AND type check`, so a
 * missing, null or wrongly typed value fails every test except `== null`, as in the evaluator; the
 * type check is never NULL, which keeps the test two-valued. It comes second because SQLite
 * stops at the first false operand, and the comparison alone rejects most rows.
 */
export class ScalarTests {
  constructor(
    private readonly dialect: SqlDialect,
    private readonly bind: Bind,
  ) {}

  test(source: JsonSource, type: ValueType, operator: Operator, constants: BoundConstant[], modifiers: Modifiers): string {
    if (modifiers.diacriticInsensitive) throw new RqlUnsupportedError("The [d] modifier is not compiled to SQL");
    if (type === "bool") return this.boolean(source, operator, constants);
    if (type === "object") return this.objectNullTest(source, operator, constants);
    if (type === "date") return this.date(source, operator, constants, modifiers);
    const reading = this.reading(source, type);
    return this.compare(source, reading, operator, constants, modifiers);
  }

  count(expression: string, operator: Operator, constants: BoundConstant[]): string {
    return this.numeric(expression, operator, constants, this.dialect.true, () => this.dialect.false);
  }

  byteLength(source: JsonSource, operator: Operator, constants: BoundConstant[]): string {
    const string = this.reading(source, "string");
    return this.numeric(this.dialect.byteLength(string.value), operator, constants, string.guard, () => this.isNull(source));
  }

  private numeric(expression: string, operator: Operator, constants: BoundConstant[], guard: string, whenNull: () => string): string {
    const one = (constant: BoundConstant, op: string) => {
      if (constant.value === null) return op === "=" ? whenNull() : this.dialect.false;
      return `${expression} ${op} ${this.bind(numberOf(constant), "count")} AND ${guard}`;
    };
    return this.combine(operator, constants, one, (c) => one(c, "="));
  }

  private compare(source: JsonSource, reading: Reading, operator: Operator, constants: BoundConstant[], modifiers: Modifiers): string {
    const { dialect } = this;
    const folded = (value: string) => (modifiers.caseInsensitive ? dialect.lowerAscii(value) : value);
    const needle = (constant: BoundConstant, kind: Reading["parameter"] = reading.parameter) => {
      let value = reading.toParameter(constant.value);
      if (modifiers.caseInsensitive && typeof value === "string") {
        if (!isAscii(value)) throw new RqlUnsupportedError("A case-insensitive ([c]) match with non-ASCII text is not compiled to SQL");
        value = value.toLowerCase();
      }
      return this.bind(value, kind);
    };
    const equal = (constant: BoundConstant) =>
      constant.value === null ? this.isNull(source) : `${folded(reading.value)} = ${needle(constant)} AND ${reading.guard}`;
    const ordered = (constant: BoundConstant, op: string) => {
      if (!reading.orderable) throw new RqlUnsupportedError(`Ordering comparisons on this type are not compiled to SQL`);
      return constant.value === null ? dialect.false : `${reading.ordered} ${op} ${needle(constant)} AND ${reading.guard}`;
    };
    switch (operator) {
      case "beginswith":
      case "endswith":
      case "contains":
      case "like": {
        const constant = single(constants);
        if (reading.parameter !== "text" || typeof constant.value !== "string") {
          if (constant.value === null) return dialect.false;
          throw new RqlUnsupportedError(`${operator.toUpperCase()} is compiled for strings only`);
        }
        const text = folded(reading.value);
        if (operator === "like") {
          const pattern = modifiers.caseInsensitive ? constant.value.toLowerCase() : constant.value;
          if (modifiers.caseInsensitive && !isAscii(pattern)) throw new RqlUnsupportedError("A case-insensitive ([c]) LIKE with non-ASCII text is not compiled to SQL");
          return `${dialect.like(text, this.bind(dialect.likePattern(pattern), "text"))} AND ${reading.guard}`;
        }
        const method = operator === "beginswith" ? dialect.beginsWith : operator === "endswith" ? dialect.endsWith : dialect.contains;
        return `${method(text, () => needle(constant, "text"))} AND ${reading.guard}`;
      }
      default:
        return this.combine(operator, constants, ordered, equal);
    }
  }

  /** ==, !=, IN, BETWEEN and the orderings, given how to test one constant. */
  private combine(operator: Operator, constants: BoundConstant[], ordered: (c: BoundConstant, op: string) => string, equal: (c: BoundConstant) => string): string {
    switch (operator) {
      case "==":
        return equal(single(constants));
      case "!=":
        return `NOT (${equal(single(constants))})`;
      case "in":
        return constants.length === 0 ? this.dialect.false : constants.map((c) => `(${equal(c)})`).join(" OR ");
      case "between": {
        const [low, high] = constants as [BoundConstant, BoundConstant];
        if (low.value === null || high.value === null) return this.dialect.false;
        return `(${ordered(low, ">=")}) AND (${ordered(high, "<=")})`;
      }
      default: {
        const op = SQL_OPERATOR[operator];
        if (op === undefined) throw new RqlUnsupportedError(`${operator.toUpperCase()} is not compiled for this type`);
        return ordered(single(constants), op);
      }
    }
  }

  /**
   * Relaxed EJSON writes a date as ISO text for the years 1970–9999 and as `{"$numberLong": ms}`
   * otherwise, and some writers always use the second form: a date test checks both, each branch
   * false unless the document holds that form.
   */
  private date(source: JsonSource, operator: Operator, constants: BoundConstant[], modifiers: Modifiers): string {
    if (operator === "!=") return `NOT (${this.date(source, "==", constants, modifiers)})`;
    if (operator === "==" && constants[0]?.value === null) return this.isNull(source);
    const iso = this.reading(source, "date");
    const at = child(child(source, "$date"), "$numberLong");
    const value = this.dialect.integerFromText(this.dialect.textValue(at));
    const millis: Reading = {
      guard: this.dialect.hasJsonType(at, ["string"]),
      value,
      ordered: value,
      parameter: "count",
      toParameter: (c) => expect(c, "date", (d) => (d as Date).getTime()),
      orderable: true,
    };
    return `(${this.compare(source, iso, operator, constants, modifiers)}) OR (${this.compare(source, millis, operator, constants, modifiers)})`;
  }

  private boolean(source: JsonSource, operator: Operator, constants: BoundConstant[]): string {
    const equal = (constant: BoundConstant) => {
      if (constant.value === null) return this.isNull(source);
      if (typeof constant.value !== "boolean") throw new RqlUnsupportedError("A bool compared with a non-bool is not compiled to SQL");
      return this.dialect.hasJsonType(source, [constant.value ? "true" : "false"]);
    };
    return this.combine(operator, constants, () => {
      throw new RqlUnsupportedError("Ordering comparisons on bool are not compiled to SQL");
    }, equal);
  }

  private objectNullTest(source: JsonSource, operator: Operator, constants: BoundConstant[]): string {
    if ((operator !== "==" && operator !== "!=") || constants[0]?.value !== null) {
      throw new RqlUnsupportedError("Embedded objects compile only in comparisons with null");
    }
    return operator === "==" ? this.isNull(source) : `NOT (${this.isNull(source)})`;
  }

  private isNull(source: JsonSource): string {
    return `NOT (${this.dialect.hasJsonType(source, NOT_NULL)})`;
  }

  private reading(source: JsonSource, type: ValueType): Reading {
    const { dialect } = this;
    const text = (at: JsonSource, toParameter: (c: unknown) => string, orderable = true, normalise = (v: string) => v): Reading => {
      const value = normalise(dialect.textValue(at));
      return { guard: dialect.hasJsonType(at, ["string"]), value, ordered: dialect.ordered(value), parameter: "text", toParameter, orderable };
    };
    switch (type) {
      case "int":
      case "float":
      case "double": {
        const value = dialect.numberValue(source);
        return { guard: dialect.hasJsonType(source, ["number"]), value, ordered: value, parameter: "json-number", toParameter: (c) => numberOf({ value: c }), orderable: true };
      }
      case "string":
        return text(source, (c) => expect(c, "string", (s) => s as string));
      case "date":
        // Relaxed EJSON drops ".000" for whole seconds; without the "Z" both forms order as text.
        return text(child(source, "$date"), (c) => expect(c, "date", (d) => ejsonDate(d as Date)), true, (v) => `rtrim(${v}, 'Z')`);
      case "objectId":
        return text(child(source, "$oid"), (c) => expect(c, "objectId", (o) => String(o)));
      case "uuid":
      case "data":
        return text(child(child(source, "$binary"), "base64"), (c) => expect(c, type === "uuid" ? "uuid" : "binary", (b) => Buffer.from(bytesOf(b)).toString("base64")), false);
      default:
        throw new RqlUnsupportedError(`Comparisons on ${type} properties are not compiled to SQL`);
    }
  }
}

function single(constants: BoundConstant[]): BoundConstant {
  return constants[0] as BoundConstant;
}

function numberOf(constant: { value: unknown }): number {
  if (kindOf(constant.value) !== "number") throw new RqlUnsupportedError("Only plain numbers compare with numeric properties in SQL (not decimal128)");
  const value = toJsNumber(constant.value);
  // A bigint or Long beyond 2^53 would be rounded; infinities have no JSON form.
  if (!Number.isFinite(value) || (typeof constant.value !== "number" && !Number.isSafeInteger(value))) {
    throw new RqlUnsupportedError(`The number ${value} is not compiled to SQL exactly`);
  }
  return value;
}

function expect<T>(value: unknown, kind: ReturnType<typeof kindOf>, convert: (value: unknown) => T): T {
  if (kindOf(value) !== kind) throw new RqlUnsupportedError(`A ${kindOf(value)} constant compared with a ${kind} property is not compiled to SQL`);
  return convert(value);
}

/** A date as relaxed EJSON writes it, without the trailing "Z". */
function ejsonDate(date: Date): string {
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) {
    throw new RqlUnsupportedError("Dates outside the years 0–9999 are not compiled to SQL");
  }
  const iso = date.toISOString();
  return date.getUTCMilliseconds() === 0 ? iso.slice(0, 19) : iso.slice(0, 23);
}
