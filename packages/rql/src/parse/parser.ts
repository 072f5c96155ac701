import { RqlSyntaxError } from "../errors.js";
import type {
  AggregateName,
  ComparisonNode,
  ExpressionNode,
  FullTextNode,
  ListNode,
  LiteralValue,
  Operator,
  OrderingNode,
  PathNode,
  PathStep,
  PredicateNode,
  Quantifier,
  QueryAst,
  SubqueryNode,
} from "./ast.js";
import type { Token } from "./lexer.js";
import { literalOf } from "./literalOf.js";
import { TokenCursor } from "./tokenCursor.js";

const SYMBOL_OPERATORS: Record<string, Operator> = {
  "==": "==",
  "=": "==",
  "!=": "!=",
  "<>": "!=",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
};
const WORD_OPERATORS: Record<string, Operator> = {
  beginswith: "beginswith",
  endswith: "endswith",
  contains: "contains",
  like: "like",
  in: "in",
  between: "between",
};
const QUANTIFIERS: Record<string, Quantifier> = {
  any: "any",
  some: "any",
  all: "all",
  none: "none",
};
const AGGREGATES = new Set<string>(["count", "size", "sum", "avg", "min", "max"]);
const EXPECTED_OPERATOR = [
  "==",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
  "BEGINSWITH",
  "ENDSWITH",
  "CONTAINS",
  "LIKE",
  "IN",
  "BETWEEN",
  "TEXT",
];
const EXPECTED_VALUE = ["a property", "a literal", "an argument such as $0", "{…}", "SUBQUERY(…)"];

/** Parses RQL text into a syntax tree. Pure syntax: nothing is checked against a schema here. */
export function parseQuery(text: string): QueryAst {
  if (typeof text !== "string")
    throw new RqlSyntaxError(String(text), 0, "A query must be a string");
  return new Parser(text).parseQuery();
}

class Parser extends TokenCursor {
  parseQuery(): QueryAst {
    const predicate = this.parseOr();
    const ordering: OrderingNode[] = [];
    for (;;) {
      const token = this.peek();
      if (token.type === "end") break;
      const word = this.keyword(token);
      if (word === "sort" || word === "distinct" || word === "limit") {
        ordering.push(this.parseOrdering(word));
        continue;
      }
      this.fail(token, "Unexpected text after the predicate", [
        "AND",
        "OR",
        "SORT(…)",
        "DISTINCT(…)",
        "LIMIT(…)",
        "end of query",
      ]);
    }
    return { text: this.text, predicate, ordering };
  }

  private parseOr(): PredicateNode {
    const first = this.parseAnd();
    const operands = [first];
    while (this.acceptPunct("||") || this.acceptKeyword("or")) operands.push(this.parseAnd());
    return operands.length === 1 ? first : { kind: "or", operands, offset: first.offset };
  }

  private parseAnd(): PredicateNode {
    const first = this.parseNot();
    const operands = [first];
    while (this.acceptPunct("&&") || this.acceptKeyword("and")) operands.push(this.parseNot());
    return operands.length === 1 ? first : { kind: "and", operands, offset: first.offset };
  }

  private parseNot(): PredicateNode {
    const token = this.peek();
    if (this.acceptPunct("!") || this.acceptKeyword("not")) {
      return this.nested(token, () => ({
        kind: "not",
        operand: this.parseNot(),
        offset: token.offset,
      }));
    }
    return this.parseAtom();
  }

  private parseAtom(): PredicateNode {
    const token = this.peek();
    if (this.acceptPunct("(")) {
      const inner = this.nested(token, () => this.parseOr());
      this.expectPunct(")");
      return inner;
    }
    const word = this.keyword(token);
    if (word === "truepredicate" || word === "falsepredicate") {
      this.position++;
      return { kind: "truth", value: word === "truepredicate", offset: token.offset };
    }
    return this.parseComparison();
  }

  private parseComparison(): ComparisonNode | FullTextNode {
    const left = this.parseExpression();
    const token = this.peek();
    if (this.keyword(token) === "text") return this.parseFullText(left, token);
    let operator: Operator | undefined;
    if (token.type === "punct") operator = SYMBOL_OPERATORS[token.text];
    else if (token.type === "ident") operator = WORD_OPERATORS[token.text.toLowerCase()];
    if (operator === undefined) this.fail(token, "Missing comparison operator", EXPECTED_OPERATOR);
    this.position++;
    const modifiers = this.parseModifiers(operator);
    const right = this.parseExpression();
    if (operator === "between" && (right.kind !== "list" || right.items.length !== 2)) {
      this.fail(
        this.tokens[this.position - 1] as Token,
        "BETWEEN needs two bounds",
        ["{low, high}"],
        right.offset,
      );
    }
    return { kind: "comparison", operator, left, right, ...modifiers, offset: left.offset };
  }

  /** `property TEXT 'terms'`: the property must be a path; the terms a string or an argument. */
  private parseFullText(left: ExpressionNode, operator: Token): FullTextNode {
    if (left.kind !== "path" || left.quantifier !== undefined)
      this.fail(operator, "TEXT needs a property on its left", ["a property name"], left.offset);
    this.position++;
    const search = this.peek();
    if (search.type !== "string" && search.type !== "argument")
      this.fail(search, "TEXT needs the words to search for", [
        "a string",
        "an argument such as $0",
      ]);
    const right = this.parseExpression();
    return { kind: "fullText", property: left, search: right, offset: left.offset };
  }

  /** `[c]`, `[d]` or `[cd]` after a string operator, `==` or `!=`. */
  private parseModifiers(operator: Operator): {
    caseInsensitive: boolean;
    diacriticInsensitive: boolean;
  } {
    const none = { caseInsensitive: false, diacriticInsensitive: false };
    const open = this.peek();
    if (open.type !== "punct" || open.text !== "[") return none;
    const flag = this.tokens[this.position + 1];
    if (!flag || flag.type !== "ident" || !/^(c|d|cd|dc)$/i.test(flag.text)) return none;
    if (["<", "<=", ">", ">=", "in", "between"].includes(operator)) {
      this.fail(open, `The modifier [${flag.text}] does not apply to this operator`, [
        "==",
        "!=",
        "BEGINSWITH",
        "ENDSWITH",
        "CONTAINS",
        "LIKE",
      ]);
    }
    this.position += 2;
    this.expectPunct("]");
    const letters = flag.text.toLowerCase();
    return { caseInsensitive: letters.includes("c"), diacriticInsensitive: letters.includes("d") };
  }

  private parseExpression(): ExpressionNode {
    const token = this.peek();
    const word = this.keyword(token);
    const quantifier = word === undefined ? undefined : QUANTIFIERS[word];
    if (quantifier !== undefined) {
      this.position++;
      const next = this.peek();
      let quantified: ExpressionNode;
      if (next.type === "punct" && next.text === "{") {
        quantified = { ...this.parseList(), quantifier };
      } else if (next.type === "argument") {
        this.position++;
        quantified = { kind: "argument", index: next.index, quantifier, offset: next.offset };
      } else {
        quantified = this.parsePath(quantifier);
      }
      return { ...quantified, offset: token.offset };
    }
    if (word === "subquery" && this.peekAt(1).type === "punct") return this.parseSubquery();
    const literal = this.parseLiteral();
    if (literal !== undefined) return { kind: "literal", value: literal, offset: token.offset };
    if (token.type === "argument") {
      this.position++;
      return { kind: "argument", index: token.index, offset: token.offset };
    }
    if (token.type === "punct" && token.text === "{") return this.parseList();
    if (token.type === "ident" || token.type === "variable" || token.type === "at")
      return this.parsePath(undefined);
    return this.fail(token, "Expected a value", EXPECTED_VALUE);
  }

  private parseLiteral(): LiteralValue | undefined {
    const token = this.peek();
    const value = literalOf(token, this.keyword(token));
    if (value !== undefined) {
      this.position++;
      return value;
    }
    return undefined;
  }

  private parseList(): ListNode {
    const open = this.expectPunct("{");
    const items: ExpressionNode[] = [];
    if (!this.acceptPunct("}")) {
      do items.push(this.parseListItem());
      while (this.acceptPunct(","));
      this.expectPunct("}");
    }
    return { kind: "list", quantifier: undefined, items, offset: open.offset };
  }

  private parseListItem(): ExpressionNode {
    const token = this.peek();
    const literal = this.parseLiteral();
    if (literal !== undefined) return { kind: "literal", value: literal, offset: token.offset };
    if (token.type === "argument") {
      this.position++;
      return { kind: "argument", index: token.index, offset: token.offset };
    }
    return this.fail(token, "Expected a literal in the list", [
      "a literal",
      "an argument such as $0",
      "}",
    ]);
  }

  private parseSubquery(): SubqueryNode {
    const start = this.peek();
    this.position++;
    this.expectPunct("(");
    const collection = this.parsePath(undefined);
    this.expectPunct(",");
    const variable = this.peek();
    if (variable.type !== "variable")
      this.fail(variable, "Expected the subquery variable", ["a variable such as $x"]);
    this.position++;
    this.expectPunct(",");
    const predicate = this.nested(start, () => this.parseOr());
    this.expectPunct(")");
    this.expectPunct(".");
    const count = this.peek();
    if (count.type !== "at" || !["count", "size"].includes(count.text.toLowerCase())) {
      this.fail(count, "A subquery must be followed by .@count", ["@count"]);
    }
    this.position++;
    return {
      kind: "subquery",
      collection,
      variable: variable.text,
      predicate,
      offset: start.offset,
    };
  }

  private parsePath(quantifier: Quantifier | undefined): PathNode {
    const first = this.peek();
    const steps: PathStep[] = [];
    let variable: string | undefined;
    if (first.type === "variable") {
      variable = first.text;
      this.position++;
    } else {
      steps.push(this.parseStep());
    }
    for (;;) {
      if (this.acceptPunct(".")) {
        steps.push(this.parseStep());
      } else if (this.peekIs("[") && this.peekAt(1).type === "string") {
        const key = this.tokens[this.position + 1] as Token & { type: "string" };
        this.position += 2;
        this.expectPunct("]");
        steps.push({ kind: "key", key: key.value, offset: key.offset });
      } else {
        break;
      }
    }
    return { kind: "path", quantifier, variable, steps, offset: first.offset };
  }

  private parseStep(): PathStep {
    const token = this.peek();
    if (token.type === "ident") {
      this.position++;
      return { kind: "property", name: token.text, offset: token.offset };
    }
    if (token.type !== "at")
      return this.fail(token, "Expected a property name", [
        "a property name",
        "@count",
        "@size",
        "@links",
        "…",
      ]);
    this.position++;
    const name = token.text.toLowerCase();
    if (AGGREGATES.has(name))
      return { kind: "aggregate", name: name as AggregateName, offset: token.offset };
    if (name === "keys" || name === "values" || name === "type")
      return { kind: name, offset: token.offset };
    if (name === "links") return this.parseBacklinks(token);
    return this.fail(token, `Unknown operator @${token.text}`, [
      "@count",
      "@size",
      "@sum",
      "@avg",
      "@min",
      "@max",
      "@keys",
      "@values",
      "@type",
      "@links",
    ]);
  }

  private parseBacklinks(at: Token): PathStep {
    const next = this.peekAt(1);
    if (this.peekIs(".") && next.type === "at" && next.text.toLowerCase() === "count")
      return { kind: "allBacklinks", offset: at.offset };
    this.expectPunct(".");
    const className = this.expectIdent("a class name");
    this.expectPunct(".");
    const property = this.expectIdent("a property name");
    return { kind: "backlinks", className, property, offset: at.offset };
  }

  private parseOrdering(word: "sort" | "distinct" | "limit"): OrderingNode {
    const start = this.peek();
    this.position++;
    this.expectPunct("(");
    let node: OrderingNode;
    if (word === "limit") {
      const count = this.peek();
      if (count.type !== "number" || !/^\d+$/.test(count.text))
        this.fail(count, "LIMIT needs a whole number", ["a non-negative integer"]);
      this.position++;
      node = { kind: "limit", count: Number(count.text), offset: start.offset };
    } else if (word === "distinct") {
      const paths: PathNode[] = [];
      do paths.push(this.parsePath(undefined));
      while (this.acceptPunct(","));
      node = { kind: "distinct", paths, offset: start.offset };
    } else {
      const keys: { path: PathNode; ascending: boolean }[] = [];
      do {
        const path = this.parsePath(undefined);
        const direction = this.keyword(this.peek());
        if (direction === "asc" || direction === "ascending") keys.push({ path, ascending: true });
        else if (direction === "desc" || direction === "descending")
          keys.push({ path, ascending: false });
        else this.fail(this.peek(), "Missing sort direction", ["ASC", "DESC"]);
        this.position++;
      } while (this.acceptPunct(","));
      node = { kind: "sort", keys, offset: start.offset };
    }
    this.expectPunct(")");
    return node;
  }
}
