import type { AggregateName, Operator, Quantifier } from "../parse/ast.js";
import type { FullTextSearch } from "../fullText/fullTextSearch.js";
import type { RqlScalarType, RqlSchema } from "../schema.js";

/**
 * A query checked against a schema, with its arguments substituted: what `evaluate`,
 * `applyQuery`, `compileToSql` and `describeQuery` consume. Plain data; build it with `bindQuery`.
 */
export interface BoundQuery {
  readonly className: string;
  readonly schema: RqlSchema;
  readonly predicate: BoundPredicate;
  readonly ordering: readonly BoundOrdering[];
}

/** The type of what an expression yields; `typeName` is the string `@type` produces. */
export type ValueType = RqlScalarType | "object" | "null" | "typeName";

export type BoundPredicate =
  | { kind: "and" | "or"; operands: BoundPredicate[] }
  | { kind: "not"; operand: BoundPredicate }
  | { kind: "truth"; value: boolean }
  | BoundComparison
  | BoundFullText;

/** `property TEXT 'terms'` on a single string property with a full-text index. */
export interface BoundFullText {
  kind: "fullText";
  path: BoundPath;
  /** the search text as given (for describeQuery) */
  text: string;
  search: FullTextSearch;
}

export interface BoundComparison {
  kind: "comparison";
  operator: Operator;
  left: BoundExpression;
  right: BoundExpression;
  caseInsensitive: boolean;
  diacriticInsensitive: boolean;
}

export type BoundExpression = BoundPath | BoundConstant | BoundList | BoundSubqueryCount;

export interface BoundConstant {
  kind: "constant";
  /** a runtime value as `evaluate` compares it (JS or BSON) */
  value: unknown;
  type: ValueType;
}

export interface BoundList {
  kind: "list";
  items: BoundConstant[];
  quantifier: Quantifier | undefined;
}

export interface BoundPath {
  kind: "path";
  /** undefined: starts at the queried object; otherwise a subquery variable */
  variable: string | undefined;
  steps: BoundStep[];
  type: ValueType;
  /** the class of the objects the path yields, when `type` is "object" */
  objectType: string | undefined;
  /** true when the path may yield several values (it goes through a collection) */
  many: boolean;
  quantifier: Quantifier | undefined;
  /** the path as written, canonically (for describeQuery and messages) */
  text: string;
}

export interface BoundSubqueryCount {
  kind: "subqueryCount";
  collection: BoundPath;
  variable: string;
  predicate: BoundPredicate;
}

/** One step of a path: maps each current value to zero or more next values. */
export type BoundStep =
  | { kind: "property"; name: string; expand: boolean; unbox?: true } // expand: a list or set yields its elements; unbox: read the boxed value's valueOf()
  | { kind: "key"; key: string } // dictionary (or mixed) value at key; null when absent
  | { kind: "keys" | "values" } // a dictionary's keys or values
  | { kind: "backlinks"; sources: { fromClass: string; fromProperty: string }[] }
  | { kind: "length" } // @size/@count of a single string, binary, or mixed value
  | { kind: "type" } // @type of a value
  | { kind: "aggregate"; name: AggregateName; over: BoundStep[] }; // reduces the values `over` yields to one

export type BoundOrdering =
  | { kind: "sort"; keys: { path: BoundPath; ascending: boolean }[] }
  | { kind: "distinct"; paths: BoundPath[] }
  | { kind: "limit"; count: number };
