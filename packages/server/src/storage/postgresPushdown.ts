/**
 * Renders the pushable part of a MongoDB filter (`filterPushdown.ts`) as a PostgreSQL
 * condition on a jsonb expression. Numbers compare as jsonb (numerically among numbers; other
 * types fall on one side, which only widens the result); strings compare as text under
 * `COLLATE "C"` (byte order, as MongoDB compares strings), and only when the field holds one.
 */
import type { Document } from "../data/types.js";
import { analyseFilter } from "./filterPushdown.js";
import type { FieldTest, Pushdown, PushdownScalar } from "./filterPushdown.js";

/** Positional parameters of one statement: `add` returns the placeholder of a new value. */
export class PostgresParameters {
  readonly values: unknown[];

  constructor(initial: readonly unknown[] = []) {
    this.values = [...initial];
  }

  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return `$${this.values.length}${cast === undefined ? "" : `::${cast}`}`;
  }
}

/** The condition on `json` (a jsonb expression), or null when the filter narrows nothing. */
export function postgresPushdown(
  filter: Document | undefined,
  json: string,
  parameters: PostgresParameters,
): string | null {
  const pushdown = analyseFilter(filter);
  return pushdown === null ? null : render(pushdown, json, parameters);
}

function render(node: Pushdown, json: string, parameters: PostgresParameters): string {
  if (node.kind !== "field") {
    const joiner = node.kind === "all" ? " AND " : " OR ";
    return node.of.map((part) => `(${render(part, json, parameters)})`).join(joiner);
  }
  // Simple field names only (see filterPushdown.ts): safe inside a literal.
  const field = `(${json} -> '${node.field}')`;
  const tests = node.tests.map((test) => `(${fieldTest(test, field, parameters)})`);
  return `coalesce(jsonb_typeof(${field}), '') IN ('array', 'object') OR (${tests.join(" AND ")})`;
}

function fieldTest(test: FieldTest, field: string, parameters: PostgresParameters): string {
  const asText = `(CASE WHEN jsonb_typeof(${field}) = 'string' THEN ${field} #>> '{}' END) COLLATE "C"`;
  const compare = (op: string, value: PushdownScalar): string =>
    typeof value === "number"
      ? `${field} ${op} ${parameters.add(JSON.stringify(value), "jsonb")}`
      : `${asText} ${op} ${parameters.add(value, "text")}`;
  if (test.op !== "in") return compare(test.op, test.value);
  const numbers = test.values.filter((value) => typeof value === "number");
  const strings = test.values.filter((value) => typeof value === "string");
  const alternatives: string[] = [];
  if (numbers.length > 0)
    alternatives.push(
      `${field} IN (${numbers.map((n) => parameters.add(JSON.stringify(n), "jsonb")).join(", ")})`,
    );
  if (strings.length > 0)
    alternatives.push(`${asText} IN (${strings.map((s) => parameters.add(s, "text")).join(", ")})`);
  return alternatives.join(" OR ");
}
