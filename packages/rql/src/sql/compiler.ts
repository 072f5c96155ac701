import type {
  BoundComparison,
  BoundConstant,
  BoundExpression,
  BoundPredicate,
  BoundQuery,
  ValueType,
} from "../bind/bound.js";
import { RqlUnsupportedError } from "../errors.js";
import type { Quantifier } from "../parse/ast.js";
import { compileOperand } from "./compileOperand.js";
import type { SqlOperand } from "./compileOperand.js";
import type { JsonSource, SqlDialect } from "./dialect.js";
import { postgresDialect } from "./postgresDialect.js";
import { sqliteDialect } from "./sqliteDialect.js";
import { ScalarTests } from "./scalarTests.js";

export interface SqlOptions {
  dialect: "sqlite" | "postgres";
  /** the column holding the document (TEXT of JSON for SQLite, jsonb for PostgreSQL); inserted as written */
  documentColumn: string;
}

const DIALECTS: Record<SqlOptions["dialect"], SqlDialect> = {
  sqlite: sqliteDialect,
  postgres: postgresDialect,
};

/**
 * Compiles a bound query's predicate to a parameterised SQL condition over documents stored as
 * `encodeDocument` writes them. Whatever it cannot express with exactly the evaluator's answer
 * (links, decimal128, mixed, [d], SORT/LIMIT…) is an RqlUnsupportedError, never an approximation.
 */
export function compileToSql(
  bound: BoundQuery,
  options: SqlOptions,
): { where: string; params: unknown[] } {
  const dialect = DIALECTS[options.dialect];
  if (dialect === undefined)
    throw new RqlUnsupportedError(`Unknown SQL dialect '${String(options.dialect)}'`);
  if (bound.ordering.length > 0) {
    throw new RqlUnsupportedError(
      "SORT, DISTINCT and LIMIT are not compiled to SQL; apply them with applyQuery",
    );
  }
  const compiler = new SqlCompiler(dialect, bound, options.documentColumn);
  return { where: compiler.predicate(bound.predicate), params: compiler.params };
}

class SqlCompiler {
  readonly params: unknown[] = [];
  private aliases = 0;
  private readonly tests: ScalarTests;

  constructor(
    private readonly dialect: SqlDialect,
    private readonly bound: BoundQuery,
    private readonly documentColumn: string,
  ) {
    this.tests = new ScalarTests(dialect, (value, kind) => {
      const parameter = dialect.parameter(this.params.length + 1, value, kind);
      this.params.push(parameter.value);
      return parameter.sql;
    });
  }

  predicate(node: BoundPredicate): string {
    switch (node.kind) {
      case "truth":
        return node.value
          ? `(${this.dialect.true} = ${this.dialect.true})`
          : `(${this.dialect.true} = ${this.dialect.false})`;
      case "not":
        return `NOT ${this.predicate(node.operand)}`;
      case "and":
      case "or":
        return `(${node.operands.map((operand) => this.predicate(operand)).join(node.kind === "and" ? " AND " : " OR ")})`;
      case "comparison":
        return `(${this.comparison(node)})`;
      case "fullText":
        // Neither engine can cut text into Unicode words without diacritics the way the evaluator does.
        throw new RqlUnsupportedError(
          "TEXT (full-text search) is not compiled to SQL; evaluate it with evaluate or applyQuery",
        );
    }
  }

  private comparison(node: BoundComparison): string {
    let { left, right } = node;
    // `'x' IN tags` is `ANY tags == 'x'`.
    if (node.operator === "in" && left.kind === "constant" && right.kind === "path")
      [left, right] = [right, left];
    const operand = compileOperand(
      left,
      this.bound.schema,
      this.bound.className,
      this.documentColumn,
    );
    const constants = this.constants(right, node);
    const quantifier: Quantifier = left.kind === "path" ? (left.quantifier ?? "any") : "any";
    const operator = node.operator === "in" && node.left.kind === "constant" ? "==" : node.operator;
    const modifiers = {
      caseInsensitive: node.caseInsensitive,
      diacriticInsensitive: node.diacriticInsensitive,
    };
    const test = (source: JsonSource, type: ValueType) =>
      this.tests.test(source, type, operator, constants, modifiers);
    switch (operand.kind) {
      case "value":
        return test(operand.source, operand.type);
      case "elements":
        return this.quantify(operand, quantifier, test);
      case "arrayLength":
        return this.tests.count(this.dialect.arrayLength(operand.source), operator, constants);
      case "byteLength":
        return this.tests.byteLength(operand.source, operator, constants);
    }
  }

  private constants(expression: BoundExpression, node: BoundComparison): BoundConstant[] {
    if (expression.kind === "constant") return [expression];
    if (
      expression.kind === "list" &&
      expression.quantifier === undefined &&
      (node.operator === "in" || node.operator === "between")
    )
      return expression.items;
    throw new RqlUnsupportedError(
      "SQL compilation needs constants (literals or arguments) on the right of each comparison",
    );
  }

  private quantify(
    operand: SqlOperand & { kind: "elements" },
    quantifier: Quantifier,
    test: (source: JsonSource, type: ValueType) => string,
  ): string {
    const alias = `e${++this.aliases}`;
    const { from, element } = this.dialect.elements(operand.source, alias);
    const elementTest = test(element, operand.type);
    switch (quantifier) {
      case "any":
        return `EXISTS (SELECT 1 FROM ${from} WHERE ${elementTest})`;
      case "all":
        return `NOT EXISTS (SELECT 1 FROM ${from} WHERE NOT (${elementTest}))`;
      case "none":
        return `NOT EXISTS (SELECT 1 FROM ${from} WHERE ${elementTest})`;
    }
  }
}
