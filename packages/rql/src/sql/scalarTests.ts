import type { BoundConstant, ValueType } from "../bind/bound.js";
import { RqlUnsupportedError } from "../errors.js";
import { isAscii } from "../evaluate/strings.js";
import type { Operator } from "../parse/ast.js";
import type { JsonSource, JsonType, SqlDialect } from "./dialect.js";
import { numberOf, readingsOf } from "./readings.js";
import type { Reading } from "./readings.js";

type Bind = (value: number | string, kind: "json-number" | "text" | "count") => string;
interface Modifiers {
  caseInsensitive: boolean;
  diacriticInsensitive: boolean;
}

const NOT_NULL: readonly JsonType[] = ["number", "string", "true", "false", "object", "array"];
const SQL_OPERATOR: Partial<Record<Operator, string>> = {
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
};

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

  test(
    source: JsonSource,
    type: ValueType,
    operator: Operator,
    constants: BoundConstant[],
    modifiers: Modifiers,
  ): string {
    if (modifiers.diacriticInsensitive)
      throw new RqlUnsupportedError("The [d] modifier is not compiled to SQL");
    if (type === "bool") return this.boolean(source, operator, constants);
    if (type === "object") return this.objectNullTest(source, operator, constants);
    const readings = readingsOf(this.dialect, source, type);
    if (readings.length === 1)
      return this.compare(source, readings[0] as Reading, operator, constants, modifiers);
    // One branch per stored form, each false unless the document holds that form.
    if (operator === "!=") return `NOT (${this.test(source, type, "==", constants, modifiers)})`;
    if (operator === "==" && constants[0]?.value === null) return this.isNull(source);
    // Most documents hold the plain form, so the wrapped forms sit behind one cheap object test.
    // Parameters are bound in the order the text uses them: compile the branches in that order.
    const [plain, ...wrapped] = readings as [Reading, ...Reading[]];
    const first = this.compare(source, plain, operator, constants, modifiers);
    const branches = wrapped
      .map((reading) => `(${this.compare(source, reading, operator, constants, modifiers)})`)
      .join(" OR ");
    return `(${first}) OR (${wrapped[0]?.wrapped ?? this.dialect.true} AND (${branches}))`;
  }

  count(expression: string, operator: Operator, constants: BoundConstant[]): string {
    return this.numeric(
      expression,
      operator,
      constants,
      this.dialect.true,
      () => this.dialect.false,
    );
  }

  byteLength(source: JsonSource, operator: Operator, constants: BoundConstant[]): string {
    const string = readingsOf(this.dialect, source, "string")[0] as Reading;
    return this.numeric(
      this.dialect.byteLength(string.value),
      operator,
      constants,
      string.guard,
      () => this.isNull(source),
    );
  }

  private numeric(
    expression: string,
    operator: Operator,
    constants: BoundConstant[],
    guard: string,
    whenNull: () => string,
  ): string {
    const one = (constant: BoundConstant, op: string) => {
      if (constant.value === null) return op === "=" ? whenNull() : this.dialect.false;
      return `${expression} ${op} ${this.bind(numberOf(constant), "count")} AND ${guard}`;
    };
    return this.combine(operator, constants, one, (c) => one(c, "="));
  }

  private compare(
    source: JsonSource,
    reading: Reading,
    operator: Operator,
    constants: BoundConstant[],
    modifiers: Modifiers,
  ): string {
    const { dialect } = this;
    const folded = (value: string) =>
      modifiers.caseInsensitive ? dialect.lowerAscii(value) : value;
    const needle = (constant: BoundConstant, kind: Reading["parameter"] = reading.parameter) => {
      let value = reading.toParameter(constant.value);
      if (modifiers.caseInsensitive && typeof value === "string") {
        if (!isAscii(value))
          throw new RqlUnsupportedError(
            "A case-insensitive ([c]) match with non-ASCII text is not compiled to SQL",
          );
        value = value.toLowerCase();
      }
      return this.bind(value, kind);
    };
    const equal = (constant: BoundConstant) =>
      constant.value === null
        ? this.isNull(source)
        : `${folded(reading.value)} = ${needle(constant)} AND ${reading.guard}`;
    const ordered = (constant: BoundConstant, op: string) => {
      if (!reading.orderable)
        throw new RqlUnsupportedError(`Ordering comparisons on this type are not compiled to SQL`);
      return constant.value === null
        ? dialect.false
        : `${reading.ordered} ${op} ${needle(constant)} AND ${reading.guard}`;
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
          if (modifiers.caseInsensitive && !isAscii(pattern))
            throw new RqlUnsupportedError(
              "A case-insensitive ([c]) LIKE with non-ASCII text is not compiled to SQL",
            );
          return `${dialect.like(text, this.bind(dialect.likePattern(pattern), "text"))} AND ${reading.guard}`;
        }
        const method =
          operator === "beginswith"
            ? dialect.beginsWith
            : operator === "endswith"
              ? dialect.endsWith
              : dialect.contains;
        return `${method(text, () => needle(constant, "text"))} AND ${reading.guard}`;
      }
      default:
        return this.combine(operator, constants, ordered, equal);
    }
  }

  /** ==, !=, IN, BETWEEN and the orderings, given how to test one constant. */
  private combine(
    operator: Operator,
    constants: BoundConstant[],
    ordered: (c: BoundConstant, op: string) => string,
    equal: (c: BoundConstant) => string,
  ): string {
    switch (operator) {
      case "==":
        return equal(single(constants));
      case "!=":
        return `NOT (${equal(single(constants))})`;
      case "in":
        return constants.length === 0
          ? this.dialect.false
          : constants.map((c) => `(${equal(c)})`).join(" OR ");
      case "between": {
        const [low, high] = constants as [BoundConstant, BoundConstant];
        if (low.value === null || high.value === null) return this.dialect.false;
        return `(${ordered(low, ">=")}) AND (${ordered(high, "<=")})`;
      }
      default: {
        const op = SQL_OPERATOR[operator];
        if (op === undefined)
          throw new RqlUnsupportedError(`${operator.toUpperCase()} is not compiled for this type`);
        return ordered(single(constants), op);
      }
    }
  }

  private boolean(source: JsonSource, operator: Operator, constants: BoundConstant[]): string {
    const equal = (constant: BoundConstant) => {
      if (constant.value === null) return this.isNull(source);
      if (typeof constant.value !== "boolean")
        throw new RqlUnsupportedError("A bool compared with a non-bool is not compiled to SQL");
      return this.dialect.hasJsonType(source, [constant.value ? "true" : "false"]);
    };
    return this.combine(
      operator,
      constants,
      () => {
        throw new RqlUnsupportedError("Ordering comparisons on bool are not compiled to SQL");
      },
      equal,
    );
  }

  private objectNullTest(
    source: JsonSource,
    operator: Operator,
    constants: BoundConstant[],
  ): string {
    if ((operator !== "==" && operator !== "!=") || constants[0]?.value !== null) {
      throw new RqlUnsupportedError("Embedded objects compile only in comparisons with null");
    }
    return operator === "==" ? this.isNull(source) : `NOT (${this.isNull(source)})`;
  }

  private isNull(source: JsonSource): string {
    return `NOT (${this.dialect.hasJsonType(source, NOT_NULL)})`;
  }
}

function single(constants: BoundConstant[]): BoundConstant {
  return constants[0] as BoundConstant;
}
