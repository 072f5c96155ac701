import { RqlBindError } from "../errors.js";
import { parseFullTextSearch } from "../fullText/fullTextSearch.js";
import type {
  ComparisonNode,
  ExpressionNode,
  FullTextNode,
  OrderingNode,
  PathNode,
  PredicateNode,
  QueryAst,
} from "../parse/ast.js";
import { parseQuery } from "../parse/parser.js";
import type { RqlProperty, RqlSchema } from "../schema.js";
import { bindPath } from "./bindPath.js";
import type { PathScope, VariableBinding } from "./bindPath.js";
import type {
  BoundConstant,
  BoundExpression,
  BoundList,
  BoundOrdering,
  BoundPath,
  BoundPredicate,
  BoundQuery,
  ValueType,
} from "./bound.js";
import { argumentConstant, literalConstant } from "./constants.js";
import { TYPE_NAMES, checkOperator } from "./typeRules.js";

const MIRRORED = { "<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!=" } as const;

/**
 * Checks a query against the schema of `className` and substitutes its arguments. Everything
 * that can be wrong with a query short of the data is reported here, as an RqlBindError.
 */
export function bindQuery(
  query: string | QueryAst,
  schema: RqlSchema,
  className: string,
  args: readonly unknown[] = [],
): BoundQuery {
  const ast = typeof query === "string" ? parseQuery(query) : query;
  const cls = schema[className];
  if (cls === undefined) throw new RqlBindError(`Unknown class '${className}'`);
  if (cls.asymmetric === true)
    throw new RqlBindError(`'${className}' is asymmetric (data ingest) and cannot be queried`);
  if (!Array.isArray(args)) throw new RqlBindError("Query arguments must be an array");
  const binder = new Binder(ast.text, args, { schema, className, variables: new Map() });
  return {
    className,
    schema,
    predicate: binder.predicate(ast.predicate),
    ordering: ast.ordering.map((node) => binder.ordering(node)),
  };
}

/** An operand before its literals are typed: literals take their meaning from the other side. */
type Operand =
  | BoundExpression
  | { kind: "literal"; node: ExpressionNode & { kind: "literal" } }
  | { kind: "literalList"; node: ExpressionNode & { kind: "list" } };

class Binder {
  constructor(
    private readonly text: string,
    private readonly args: readonly unknown[],
    private readonly scope: PathScope,
  ) {}

  predicate(node: PredicateNode): BoundPredicate {
    switch (node.kind) {
      case "and":
      case "or":
        return {
          kind: node.kind,
          operands: node.operands.map((operand) => this.predicate(operand)),
        };
      case "not":
        return { kind: "not", operand: this.predicate(node.operand) };
      case "truth":
        return { kind: "truth", value: node.value };
      case "comparison":
        return this.comparison(node);
      case "fullText":
        return this.fullText(node);
    }
  }

  ordering(node: OrderingNode): BoundOrdering {
    switch (node.kind) {
      case "limit":
        return { kind: "limit", count: node.count };
      case "distinct":
        return {
          kind: "distinct",
          paths: node.paths.map((path) => this.singlePath(path, "DISTINCT")),
        };
      case "sort":
        return {
          kind: "sort",
          keys: node.keys.map((key) => ({
            path: this.singlePath(key.path, "SORT"),
            ascending: key.ascending,
          })),
        };
    }
  }

  private singlePath(node: PathNode, clause: string): BoundPath {
    const path = bindPath(node, this.scope);
    if (path.many || path.type === "object")
      throw new RqlBindError(
        `${clause}(${path.text}): the key path must lead to one value, not a collection or an object`,
      );
    return path;
  }

  private comparison(node: ComparisonNode): BoundPredicate {
    const where = `In '${snippet(this.text, node.offset)}'`;
    const leftOperand = this.operand(node.left);
    const rightOperand = this.operand(node.right);
    const left = typed(leftOperand, typeOf(rightOperand));
    const right = typed(rightOperand, typeOf(leftOperand));
    const { operator } = node;

    if (operator === "in" && !isMany(right))
      throw new RqlBindError(`${where}: IN needs a list on its right`);
    if (operator !== "in" && operator !== "between" && isMany(left) && isMany(right)) {
      throw new RqlBindError(
        `${where}: comparing two collections is not supported; quantify one side or use IN`,
      );
    }
    for (const side of [left, right]) {
      if (side.kind === "path" && side.quantifier !== undefined && !side.many) {
        throw new RqlBindError(
          `${where}: ${side.quantifier.toUpperCase()} needs a collection, but '${side.text}' is a single value`,
        );
      }
    }
    for (const l of elementTypes(left))
      for (const r of elementTypes(right)) checkOperator(operator, l, r, where);
    if (
      (node.caseInsensitive || node.diacriticInsensitive) &&
      ![...elementTypes(left), ...elementTypes(right)].every((t) =>
        ["string", "mixed", "null", "data"].includes(t),
      )
    ) {
      throw new RqlBindError(`${where}: [c] and [d] apply to strings only`);
    }
    const comparison = {
      kind: "comparison" as const,
      operator,
      left,
      right,
      caseInsensitive: node.caseInsensitive,
      diacriticInsensitive: node.diacriticInsensitive,
    };
    normaliseTypeNames(comparison, where);
    // Keep the property on the left (`5 < age` becomes `age > 5`); string operators are not symmetric.
    if (
      left.kind === "constant" &&
      right.kind !== "constant" &&
      right.kind !== "list" &&
      operator in MIRRORED
    ) {
      return {
        ...comparison,
        operator: MIRRORED[operator as keyof typeof MIRRORED],
        left: right,
        right: left,
      };
    }
    return comparison;
  }

  private fullText(node: FullTextNode): BoundPredicate {
    const where = `In '${snippet(this.text, node.offset)}'`;
    const path = bindPath(node.property, this.scope);
    const property = this.finalProperty(path);
    if (property === undefined || path.many || path.type !== "string")
      throw new RqlBindError(`${where}: TEXT needs a single string property, not '${path.text}'`);
    if (property.fullTextIndexed !== true)
      throw new RqlBindError(
        `${where}: Column has no fulltext index: '${path.text}' (TEXT needs a string property declared with indexed: "full-text")`,
      );
    const search = typed(this.operand(node.search), "string");
    if (search.kind !== "constant" || typeof search.value !== "string")
      throw new RqlBindError(`${where}: TEXT needs a string of words to search for`);
    return {
      kind: "fullText",
      path,
      text: search.value,
      search: parseFullTextSearch(search.value),
    };
  }

  /** The property a path of plain property steps ends on; undefined for any other path. */
  private finalProperty(path: BoundPath): RqlProperty | undefined {
    let className =
      path.variable === undefined
        ? this.scope.className
        : this.scope.variables.get(path.variable)?.objectType;
    let property: RqlProperty | undefined;
    for (const step of path.steps) {
      if (step.kind !== "property" || className === undefined) return undefined;
      property = this.scope.schema[className]?.properties[step.name];
      className = property?.objectType;
    }
    return property;
  }

  private operand(node: ExpressionNode): Operand {
    switch (node.kind) {
      case "literal":
        return { kind: "literal", node };
      case "list":
        if (node.items.every((item) => item.kind === "literal"))
          return { kind: "literalList", node };
        return {
          kind: "list",
          quantifier: node.quantifier,
          items: node.items.map((item) => {
            const bound =
              item.kind === "argument"
                ? this.argument(item.index)
                : typed(
                    { kind: "literal", node: item as ExpressionNode & { kind: "literal" } },
                    undefined,
                  );
            if (bound.kind !== "constant")
              throw new RqlBindError(`A list literal cannot contain another list`);
            return bound;
          }),
        };
      case "argument": {
        const bound = this.argument(node.index);
        if (node.quantifier === undefined) return bound;
        if (bound.kind !== "list")
          throw new RqlBindError(
            `${node.quantifier.toUpperCase()} $${node.index} needs an array argument`,
          );
        return { ...bound, quantifier: node.quantifier };
      }
      case "path":
        return bindPath(node, this.scope);
      case "subquery":
        return this.subquery(node);
    }
  }

  private argument(index: number): BoundConstant | BoundList {
    if (index >= this.args.length) {
      throw new RqlBindError(
        `The query uses $${index} but ${this.args.length} argument${this.args.length === 1 ? " was" : "s were"} given`,
      );
    }
    return argumentConstant(this.args[index], index);
  }

  private subquery(node: ExpressionNode & { kind: "subquery" }): BoundExpression {
    const collection = bindPath(node.collection, this.scope);
    if (!collection.many)
      throw new RqlBindError(
        `SUBQUERY(${collection.text}, …): '${collection.text}' is not a collection`,
      );
    if (this.scope.variables.has(node.variable))
      throw new RqlBindError(`SUBQUERY variable ${node.variable} is already in use`);
    const variables = new Map<string, VariableBinding>(this.scope.variables);
    variables.set(node.variable, { type: collection.type, objectType: collection.objectType });
    const inner = new Binder(this.text, this.args, { ...this.scope, variables });
    return {
      kind: "subqueryCount",
      collection,
      variable: node.variable,
      predicate: inner.predicate(node.predicate),
    };
  }
}

function typeOf(operand: Operand): ValueType | undefined {
  switch (operand.kind) {
    case "literal":
    case "literalList":
      return undefined;
    case "list":
      return operand.items.find((item) => item.type !== "null")?.type;
    case "subqueryCount":
      return "int";
    default:
      return operand.type;
  }
}

/** Gives literals their runtime value, reading them in the light of the other side's type. */
function typed(operand: Operand, other: ValueType | undefined): BoundExpression {
  if (operand.kind === "literal") return literalConstant(operand.node.value, other ?? "mixed");
  if (operand.kind === "literalList") {
    const items = operand.node.items.map((item) =>
      literalConstant((item as ExpressionNode & { kind: "literal" }).value, other ?? "mixed"),
    );
    return { kind: "list", items, quantifier: operand.node.quantifier };
  }
  return operand;
}

function isMany(expression: BoundExpression): boolean {
  return expression.kind === "list" || (expression.kind === "path" && expression.many);
}

function elementTypes(expression: BoundExpression): ValueType[] {
  switch (expression.kind) {
    case "list":
      return expression.items.map((item) => item.type);
    case "subqueryCount":
      return ["int"];
    default:
      return [expression.type];
  }
}

/** `@type == 'String'`: type names are case-insensitive and have aliases; store the canonical one. */
function normaliseTypeNames(
  comparison: { left: BoundExpression; right: BoundExpression },
  where: string,
): void {
  const sides = [comparison.left, comparison.right];
  if (!sides.some((side) => side.kind === "path" && side.type === "typeName")) return;
  for (const side of sides) {
    const constants = side.kind === "constant" ? [side] : side.kind === "list" ? side.items : [];
    for (const constant of constants) {
      if (typeof constant.value !== "string") continue;
      const name = TYPE_NAMES[constant.value.toLowerCase()];
      if (name === undefined)
        throw new RqlBindError(
          `${where}: unknown type name '${constant.value}' (known: ${Object.keys(TYPE_NAMES).join(", ")})`,
        );
      constant.value = name;
    }
  }
}

/** The comparison's text for messages: from where it starts, up to 40 characters. */
function snippet(text: string, offset: number): string {
  const rest = text.slice(offset);
  return rest.length > 40 ? `${rest.slice(0, 40)}…` : rest;
}
