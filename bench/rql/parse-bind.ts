/**
 * Parse and bind time for typical queries, against the time to evaluate the bound query on one
 * object (the ratio says how many objects one bind costs). Run:
 *   npx tsx --conditions=@atoll/source bench/rql/parse-bind.ts
 */
import { bindQuery, evaluate, parseQuery } from "@atoll/rql";
import { fixed, makeTasks, medianMs, taskSchema } from "./support.js";

const QUERIES: [string, unknown[]][] = [
  ["age < 100 OR age == $0", [null]],
  ["status == 'open' AND priority IN {1, 2}", []],
  ["name BEGINSWITH[c] $0 AND due > $1", ["task-1", new Date(Date.UTC(2024, 5, 1))]],
  ["ANY tags == 'urgent' AND NOT status == 'closed' SORT(priority DESC) LIMIT(10)", []],
  ["SUBQUERY(tags, $t, $t BEGINSWITH 'w').@count > 0 AND owner.name ==[c] 'ann'", []],
];
const ITERATIONS = 2000;
const sample = makeTasks(1)[0] as object;

console.log(`RQL parse + bind, median of 5 runs of ${ITERATIONS} iterations`);
console.log(
  "| query | parse µs | bind µs | parse+bind µs | evaluate on 1 object µs | parse+bind ÷ evaluate |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
for (const [text, args] of QUERIES) {
  const ast = parseQuery(text);
  const bound = bindQuery(ast, taskSchema, "Task", args);
  const perOp = (op: () => unknown) =>
    (medianMs(() => {
      for (let i = 0; i < ITERATIONS; i++) op();
    }) *
      1000) /
    ITERATIONS;
  const parse = perOp(() => parseQuery(text));
  const bind = perOp(() => bindQuery(ast, taskSchema, "Task", args));
  const both = perOp(() => bindQuery(text, taskSchema, "Task", args));
  const evaluation = perOp(() => evaluate(bound, sample));
  console.log(
    `| \`${text}\` | ${fixed(parse)} | ${fixed(bind)} | ${fixed(both)} | ${fixed(evaluation, 3)} | ${fixed(both / evaluation, 0)} |`,
  );
}
