import { RqlBindError } from "../errors.js";
import type { Operator } from "../parse/ast.js";
import type { ValueType } from "./bound.js";

const NUMERIC = new Set<ValueType>(["int", "float", "double", "decimal128"]);
const ORDERED = new Set<ValueType>([
  "int",
  "float",
  "double",
  "decimal128",
  "string",
  "date",
  "objectId",
  "uuid",
  "mixed",
  "null",
]);
const TEXTUAL = new Set<ValueType>(["string", "data", "mixed", "null"]);

/** The names `@type` accepts, each with the canonical name it stands for. */
export const TYPE_NAMES: Record<string, string> = {
  null: "null",
  int: "int",
  integer: "int",
  bool: "bool",
  string: "string",
  binary: "binary",
  data: "binary",
  date: "date",
  timestamp: "date",
  float: "float",
  double: "double",
  decimal: "decimal",
  decimal128: "decimal",
  objectid: "objectid",
  uuid: "uuid",
  object: "object",
  link: "object",
  numeric: "numeric",
  list: "list",
  array: "list",
  dictionary: "dictionary",
};

/** Whether values of the two types may be compared at all (mixed and null go with anything). */
export function comparable(a: ValueType, b: ValueType): boolean {
  if (a === b || a === "mixed" || b === "mixed" || a === "null" || b === "null") return true;
  if (NUMERIC.has(a) && NUMERIC.has(b)) return true;
  return (a === "string" && b === "data") || (a === "data" && b === "string");
}

/** Throws a bind error when `operator` cannot apply to operands of these types. */
export function checkOperator(
  operator: Operator,
  left: ValueType,
  right: ValueType,
  where: string,
): void {
  if (left === "typeName" || right === "typeName") {
    const other = left === "typeName" ? right : left;
    if (!["==", "!=", "in"].includes(operator) || (other !== "string" && other !== "null")) {
      throw new RqlBindError(
        `${where}: @type can only be compared with type names using ==, != or IN`,
      );
    }
    return;
  }
  if (!comparable(left, right)) {
    throw new RqlBindError(`${where}: cannot compare ${article(left)} with ${article(right)}`);
  }
  switch (operator) {
    case "<":
    case "<=":
    case ">":
    case ">=":
    case "between":
      if (!ORDERED.has(left) || !ORDERED.has(right)) {
        throw new RqlBindError(
          `${where}: the operator ${operator.toUpperCase()} does not apply to ${article(ORDERED.has(left) ? right : left)}`,
        );
      }
      return;
    case "beginswith":
    case "endswith":
    case "contains":
    case "like":
      if (!TEXTUAL.has(left) || !TEXTUAL.has(right)) {
        throw new RqlBindError(
          `${where}: ${operator.toUpperCase()} needs strings or binary data, not ${article(TEXTUAL.has(left) ? right : left)}`,
        );
      }
      return;
    default:
      return;
  }
}

function article(type: ValueType): string {
  if (type === "null") return "null";
  return /^[aeiou]/i.test(type) ? `an ${type}` : `a ${type}`;
}
