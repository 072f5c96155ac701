import type {
  BoundComparison,
  BoundExpression,
  BoundFullText,
  BoundPredicate,
  BoundQuery,
} from "../bind/bound.js";
import { RqlEvaluationError } from "../errors.js";
import { matchesFullText } from "../fullText/fullTextSearch.js";
import type { Quantifier } from "../parse/ast.js";
import type { EvalContext } from "./context.js";
import { equality, pairTest } from "./operators.js";
import type { PairOptions } from "./operators.js";
import { pathValues } from "./pathEvaluator.js";
import type { PathEnvironment } from "./pathEvaluator.js";
import { compareValues } from "./values.js";

type Test = (object: unknown, env: PathEnvironment) => boolean;
type Values = (object: unknown, env: PathEnvironment) => unknown[];

/** Bound queries are turned into closures once; the cache lives as long as the bound query. */
const compiled = new WeakMap<BoundQuery, Test>();

/** Whether `object` matches the query's predicate (SORT/DISTINCT/LIMIT are ignored here). */
export function evaluate(bound: BoundQuery, object: object, ctx?: EvalContext): boolean {
  if (object === null || typeof object !== "object") {
    throw new RqlEvaluationError(
      `Queries are evaluated on objects, not on ${object === null ? "null" : typeof object}`,
    );
  }
  let test = compiled.get(bound);
  if (test === undefined) {
    test = new PredicateCompiler(bound).predicate(bound.predicate);
    compiled.set(bound, test);
  }
  return test(object, { context: ctx, variables: undefined });
}

class PredicateCompiler {
  constructor(private readonly bound: BoundQuery) {}

  predicate(node: BoundPredicate): Test {
    switch (node.kind) {
      case "truth": {
        const value = node.value;
        return () => value;
      }
      case "not": {
        const operand = this.predicate(node.operand);
        return (o, env) => !operand(o, env);
      }
      case "and": {
        const operands = node.operands.map((operand) => this.predicate(operand));
        return (o, env) => operands.every((test) => test(o, env));
      }
      case "or": {
        const operands = node.operands.map((operand) => this.predicate(operand));
        return (o, env) => operands.some((test) => test(o, env));
      }
      case "comparison":
        return this.comparison(node);
      case "fullText":
        return this.fullText(node);
    }
  }

  private fullText(node: BoundFullText): Test {
    const { search } = node;
    const read = directReader(node.path);
    const text = (value: unknown): string | null => (typeof value === "string" ? value : null);
    if (read !== undefined) return (o) => matchesFullText(text(read(o)), search);
    const path = node.path;
    return (o, env) => matchesFullText(text(pathValues(path, o, env)[0]), search);
  }

  private comparison(node: BoundComparison): Test {
    const left = this.values(node.left);
    const right = this.values(node.right);
    const options = this.pairOptions(node);
    if (node.operator === "in") {
      const equal = equality(options);
      const direct = directReader(node.left);
      if (direct !== undefined && node.right.kind === "list") {
        const set = node.right.items.map((item) => item.value);
        return (o) => {
          const value = direct(o);
          return set.some((r) => equal(value, r));
        };
      }
      return quantified(node.left, quantifierOf(node.left), left, right, (l, set) =>
        set.some((r) => equal(l, r)),
      );
    }
    if (node.operator === "between") {
      return quantified(node.left, quantifierOf(node.left), left, right, (l, [low, high]) => {
        const lower = compareValues(l, low);
        const upper = compareValues(l, high);
        return lower !== undefined && upper !== undefined && lower >= 0 && upper <= 0;
      });
    }
    const test = pairTest(node.operator, options);
    const direct = directReader(node.left);
    if (direct !== undefined && node.right.kind === "constant") {
      // The common shape `property op constant`, without the generic machinery.
      const constant = node.right.value;
      return (o) => test(direct(o), constant);
    }
    if (isMany(node.right) && !isMany(node.left)) {
      // `5 IN`-like shapes such as `'x' == ANY tags`: the collection is on the right.
      return quantified(node.right, quantifierOf(node.right), right, left, (r, [l]) => test(l, r));
    }
    return quantified(node.left, quantifierOf(node.left), left, right, (l, [r]) => test(l, r));
  }

  private pairOptions(node: BoundComparison): PairOptions {
    const objectType = [node.left, node.right].find(
      (side) => side.kind === "path" && side.objectType !== undefined,
    );
    const className = objectType?.kind === "path" ? objectType.objectType : undefined;
    return {
      caseInsensitive: node.caseInsensitive,
      diacriticInsensitive: node.diacriticInsensitive,
      typeNames: [node.left, node.right].some(
        (side) => side.kind === "path" && side.type === "typeName",
      ),
      primaryKey: className === undefined ? undefined : this.bound.schema[className]?.primaryKey,
    };
  }

  private values(expression: BoundExpression): Values {
    switch (expression.kind) {
      case "constant": {
        const single = [expression.value];
        return () => single;
      }
      case "list": {
        const items = expression.items.map((item) => item.value);
        return () => items;
      }
      case "path":
        return (o, env) => pathValues(expression, o, env);
      case "subqueryCount": {
        const elements = this.values(expression.collection);
        const test = this.predicate(expression.predicate);
        const variable = expression.variable;
        return (o, env) => {
          let count = 0;
          for (const element of elements(o, env)) {
            const variables = new Map(env.variables);
            variables.set(variable, element);
            if (test(o, { context: env.context, variables })) count++;
          }
          return [count];
        };
      }
    }
  }
}

/** A reader for a path of plain single-valued properties from the queried object (`age`, `owner.name`). */
function directReader(expression: BoundExpression): ((object: unknown) => unknown) | undefined {
  if (expression.kind !== "path" || expression.variable !== undefined || expression.many)
    return undefined;
  const names: string[] = [];
  for (const step of expression.steps) {
    if (step.kind !== "property" || step.expand || step.unbox) return undefined;
    names.push(step.name);
  }
  if (names.length === 1) {
    const name = names[0] as string;
    return (object) => (object as Record<string, unknown>)[name] ?? null;
  }
  return (object) => {
    let value = object;
    for (const name of names) {
      if (value === null || value === undefined) return null;
      value = (value as Record<string, unknown>)[name];
    }
    return value ?? null;
  };
}

function isMany(expression: BoundExpression): boolean {
  return expression.kind === "list" || (expression.kind === "path" && expression.many);
}

function quantifierOf(expression: BoundExpression): Quantifier {
  return expression.kind === "path" || expression.kind === "list"
    ? (expression.quantifier ?? "any")
    : "any";
}

/**
 * Applies `test` to each value of the quantified side against all values of the other side:
 * ANY is true when one value passes, ALL when none fails (so vacuously true for an empty list),
 * NONE when none passes.
 */
function quantified(
  side: BoundExpression,
  quantifier: Quantifier,
  values: Values,
  others: Values,
  test: (value: unknown, others: unknown[]) => boolean,
): Test {
  const many = isMany(side);
  return (o, env) => {
    const list = values(o, env);
    const rest = others(o, env);
    if (!many) return test(list[0] ?? null, rest);
    switch (quantifier) {
      case "any":
        return list.some((value) => test(value, rest));
      case "all":
        return list.every((value) => test(value, rest));
      case "none":
        return !list.some((value) => test(value, rest));
    }
  };
}
