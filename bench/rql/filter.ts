/**
 * Filtering 100k tasks with a few query shapes: the evaluator against a hand-written JS filter,
 * and the compiled SQL on SQLite (JSON text documents without and with an index on the JSON
 * expression, and the same documents as SQLite JSONB blobs) against hand-written SQL over typed
 * columns (without and with a plain index).
 * Run: npx tsx --conditions=@atoll/source bench/rql/filter.ts
 */
import Database from "better-sqlite3";
import { applyQuery, bindQuery, compileToSql, encodeDocument } from "@atoll/rql";
import type { Task } from "./support.js";
import { fixed, makeTasks, medianMs, taskSchema } from "./support.js";

const COUNT = 100_000;
const tasks = makeTasks(COUNT);

interface Shape {
  query: string;
  args: unknown[];
  js: (task: Task) => boolean;
  /** the same condition over the typed `tasks` table (tags in `task_tags`) */
  sql: string;
  /** JSON expressions (document column `doc`) and typed columns to index */
  jsonIndex: string[];
  columnIndex: string[];
}

const SHAPES: Shape[] = [
  {
    query: "age >= $0",
    args: [98],
    js: (t) => t.age !== null && t.age >= 98,
    sql: "age >= 98",
    jsonIndex: ["json_extract(doc, '$.age')"],
    columnIndex: ["age"],
  },
  {
    query: "status == 'blocked' AND priority IN {0, 1}",
    args: [],
    js: (t) => t.status === "blocked" && (t.priority === 0 || t.priority === 1),
    sql: "status = 'blocked' AND priority IN (0, 1)",
    jsonIndex: ["json_extract(doc, '$.status')"],
    columnIndex: ["status"],
  },
  {
    query: "name BEGINSWITH 'Task-99'",
    args: [],
    js: (t) => t.name.startsWith("Task-99"),
    sql: "substr(name, 1, 7) = 'Task-99'",
    jsonIndex: [],
    columnIndex: [],
  },
  {
    query: "name ==[c] 'task-123456'",
    args: [],
    js: (t) => t.name.toLowerCase() === "task-123456",
    sql: "lower(name) = 'task-123456'",
    jsonIndex: [],
    columnIndex: [],
  },
  {
    query: "ANY tags == 'urgent' AND NOT status == 'closed'",
    args: [],
    js: (t) => t.tags.includes("urgent") && t.status !== "closed",
    sql: "id IN (SELECT task_id FROM task_tags WHERE tag = 'urgent') AND NOT status = 'closed'",
    jsonIndex: [],
    columnIndex: [],
  },
];

/** Documents as encodeDocument writes them: TEXT in `docs`, and the same in SQLite's binary JSONB in `blobs`. */
function jsonDatabase(): Database.Database {
  const db = new Database(":memory:");
  db.exec("CREATE TABLE docs (id INTEGER PRIMARY KEY, doc TEXT NOT NULL)");
  db.exec("CREATE TABLE blobs (id INTEGER PRIMARY KEY, doc BLOB NOT NULL)");
  const insert = db.prepare("INSERT INTO docs (id, doc) VALUES (?, ?)");
  const insertBlob = db.prepare("INSERT INTO blobs (id, doc) VALUES (?, jsonb(?))");
  db.transaction(() =>
    tasks.forEach((t) => {
      const text = encodeDocument(t);
      insert.run(t._id, text);
      insertBlob.run(t._id, text);
    }),
  )();
  return db;
}

function typedDatabase(): Database.Database {
  const db = new Database(":memory:");
  db.exec(
    "CREATE TABLE tasks (id INTEGER PRIMARY KEY, name TEXT, status TEXT, priority INTEGER, age INTEGER, due TEXT)",
  );
  db.exec("CREATE TABLE task_tags (task_id INTEGER, tag TEXT)");
  db.exec("CREATE INDEX task_tags_tag ON task_tags (tag)");
  const insert = db.prepare("INSERT INTO tasks VALUES (?, ?, ?, ?, ?, ?)");
  const tag = db.prepare("INSERT INTO task_tags VALUES (?, ?)");
  db.transaction(() => {
    for (const t of tasks) {
      insert.run(t._id, t.name, t.status, t.priority, t.age, t.due?.toISOString() ?? null);
      for (const name of t.tags) tag.run(t._id, name);
    }
  })();
  return db;
}

const json = jsonDatabase();
const typed = typedDatabase();

console.log(`RQL filtering over ${COUNT} objects / rows; median of 5 runs, milliseconds`);
console.log(
  "| query | matches | hand-written JS | evaluator (× JS) | typed SQL | compiled SQL, JSON text (× typed) | compiled SQL, JSONB blob (× typed) | typed SQL, indexed | compiled SQL, JSON text + index (× typed indexed) |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const shape of SHAPES) {
  const bound = bindQuery(shape.query, taskSchema, "Task", shape.args);
  const { where, params } = compileToSql(bound, { dialect: "sqlite", documentColumn: "doc" });
  const compiled = json.prepare(`SELECT id FROM docs WHERE ${where}`);
  const compiledBlob = json.prepare(`SELECT id FROM blobs WHERE ${where}`);
  const handSql = typed.prepare(`SELECT id FROM tasks WHERE ${shape.sql}`);

  const matches = applyQuery(bound, tasks).length;
  const counts = [
    compiled.all(...params).length,
    compiledBlob.all(...params).length,
    handSql.all().length,
    tasks.filter(shape.js).length,
  ];
  if (counts.some((count) => count !== matches))
    throw new Error(`${shape.query}: results differ (${matches}, ${counts.join(", ")})`);

  const jsMs = medianMs(() => tasks.filter(shape.js));
  const evalMs = medianMs(() => applyQuery(bound, tasks));
  const typedMs = medianMs(() => handSql.all());
  const compiledMs = medianMs(() => compiled.all(...params));
  const blobMs = medianMs(() => compiledBlob.all(...params));

  shape.jsonIndex.forEach((expression, i) =>
    json.exec(`CREATE INDEX docs_${i} ON docs (${expression})`),
  );
  shape.columnIndex.forEach((column) =>
    typed.exec(`CREATE INDEX tasks_${column} ON tasks (${column})`),
  );
  // Statistics, as a store keeps them with PRAGMA optimize: the planner needs them for OR branches.
  json.exec("ANALYZE");
  typed.exec("ANALYZE");
  const indexed = shape.jsonIndex.length > 0;
  const typedIndexedMs = indexed
    ? medianMs(() => typed.prepare(`SELECT id FROM tasks WHERE ${shape.sql}`).all())
    : NaN;
  const compiledIndexedMs = indexed
    ? medianMs(() => json.prepare(`SELECT id FROM docs WHERE ${where}`).all(...params))
    : NaN;
  shape.jsonIndex.forEach((_, i) => json.exec(`DROP INDEX docs_${i}`));
  shape.columnIndex.forEach((column) => typed.exec(`DROP INDEX tasks_${column}`));

  const ratio = (a: number, b: number) => `${fixed(a)} (${fixed(a / b, 1)}×)`;
  console.log(
    `| \`${shape.query}\` | ${matches} | ${fixed(jsMs)} | ${ratio(evalMs, jsMs)} | ${fixed(typedMs)} | ${ratio(compiledMs, typedMs)} | ${ratio(blobMs, typedMs)} | ` +
      `${indexed ? fixed(typedIndexedMs) : "–"} | ${indexed ? ratio(compiledIndexedMs, typedIndexedMs) : "–"} |`,
  );
}
json.close();
typed.close();
