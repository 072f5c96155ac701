/**
 * Renders the pushable part of a MongoDB filter (`filterPushdown.ts`) as a SQLite condition on
 * the `body` column (JSON text), so a scan decodes only the documents that can match.
 */
import type { Document } from "../data/types.js";
import { analyseFilter } from "./filterPushdown.js";
import type { FieldTest, Pushdown } from "./filterPushdown.js";

export interface SqlCondition {
  readonly sql: string;
  readonly params: readonly unknown[];
}

export function pushdownCondition(filter: Document | undefined): SqlCondition | null {
  const pushdown = analyseFilter(filter);
  return pushdown === null ? null : render(pushdown);
}

function render(node: Pushdown): SqlCondition {
  if (node.kind !== "field") {
    const parts = node.of.map(render);
    return {
      sql: parts.map((p) => `(${p.sql})`).join(node.kind === "all" ? " AND " : " OR "),
      params: parts.flatMap((p) => p.params),
    };
  }
  const path = `$."${node.field}"`;
  const tests = node.tests.map(fieldTest);
  const test = tests.map((c) => c.sql).join(" AND ");
  return {
    sql: `json_type(body, ?) IN ('array', 'object') OR (${test.replaceAll("FIELD", "json_extract(body, ?)")})`,
    params: [path, ...tests.flatMap((c) => [path, ...c.params])],
  };
}

/** One test on the placeholder FIELD (SQLite orders numbers before text, as MongoDB brackets types). */
function fieldTest(test: FieldTest): SqlCondition {
  if (test.op === "in")
    return { sql: `FIELD IN (${test.values.map(() => "?").join(", ")})`, params: test.values };
  return { sql: `FIELD ${test.op} ?`, params: [test.value] };
}
