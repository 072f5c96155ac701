/**
 * The syntax tree `parseQuery` produces: plain data, no schema knowledge, safe to cache and to
 * share between bindings. Every node keeps the offset of its first character for error messages.
 */

export type ComparisonOperator = "==" | "!=" | "<" | "<=" | ">" | ">=";
export type StringOperator = "beginswith" | "endswith" | "contains" | "like";
export type Operator = ComparisonOperator | StringOperator | "in" | "between";
export type Quantifier = "any" | "all" | "none";
export type AggregateName = "count" | "size" | "sum" | "avg" | "min" | "max";

export interface QueryAst {
  readonly text: string;
  readonly predicate: PredicateNode;
  readonly ordering: readonly OrderingNode[];
}

export type PredicateNode =
  | { kind: "and" | "or"; operands: PredicateNode[]; offset: number }
  | { kind: "not"; operand: PredicateNode; offset: number }
  | { kind: "truth"; value: boolean; offset: number }
  | ComparisonNode
  | FullTextNode;

export interface ComparisonNode {
  kind: "comparison";
  operator: Operator;
  left: ExpressionNode;
  right: ExpressionNode;
  caseInsensitive: boolean;
  diacriticInsensitive: boolean;
  offset: number;
}

/** `property TEXT 'terms'`: full-text search on a property with a full-text index. */
export interface FullTextNode {
  kind: "fullText";
  property: PathNode;
  /** a string literal or an argument */
  search: ExpressionNode;
  offset: number;
}

export type ExpressionNode = PathNode | LiteralNode | ArgumentNode | ListNode | SubqueryNode;

export interface PathNode {
  kind: "path";
  quantifier: Quantifier | undefined;
  /** `undefined` for the queried object; a subquery variable name such as `$x` otherwise */
  variable: string | undefined;
  steps: PathStep[];
  offset: number;
}

export type PathStep =
  | { kind: "property"; name: string; offset: number }
  | { kind: "key"; key: string; offset: number } // dictionary['key']
  | { kind: "keys" | "values" | "type"; offset: number } // @keys, @values, @type
  | { kind: "aggregate"; name: AggregateName; offset: number }
  | { kind: "backlinks"; className: string; property: string; offset: number } // @links.Class.prop
  | { kind: "allBacklinks"; offset: number }; // @links (only followed by @count)

export type LiteralValue =
  | { type: "string"; value: string }
  | { type: "number"; text: string } // kept as text: its meaning depends on the property (int, double, decimal128)
  | { type: "bool"; value: boolean }
  | { type: "null" }
  | { type: "objectId"; hex: string }
  | { type: "uuid"; text: string }
  | { type: "timestamp"; millis: number } // Realm has nanoseconds; JS dates keep milliseconds
  | { type: "binary"; base64: string };

export interface LiteralNode {
  kind: "literal";
  value: LiteralValue;
  offset: number;
}

export interface ArgumentNode {
  kind: "argument";
  index: number;
  /** `ANY $0 == name`: a quantified argument, which must be an array */
  quantifier?: Quantifier;
  offset: number;
}

export interface ListNode {
  kind: "list";
  quantifier: Quantifier | undefined;
  items: ExpressionNode[];
  offset: number;
}

/** `SUBQUERY(collection, $x, predicate).@count` — the only aggregate Realm allows on a subquery. */
export interface SubqueryNode {
  kind: "subquery";
  collection: PathNode;
  variable: string;
  predicate: PredicateNode;
  offset: number;
}

export type OrderingNode =
  | { kind: "sort"; keys: { path: PathNode; ascending: boolean }[]; offset: number }
  | { kind: "distinct"; paths: PathNode[]; offset: number }
  | { kind: "limit"; count: number; offset: number };
