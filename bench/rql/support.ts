/**
 * Shared pieces of the RQL benchmarks: a deterministic dataset of tasks, the schema it follows,
 * and a timing helper that reports the median of several runs.
 */
import type { RqlSchema } from "@atoll/rql";

export const taskSchema: RqlSchema = {
  Task: {
    name: "Task",
    primaryKey: "_id",
    properties: {
      _id: { name: "_id", type: "int", optional: false },
      name: { name: "name", type: "string", optional: false },
      status: { name: "status", type: "string", optional: false },
      priority: { name: "priority", type: "int", optional: false },
      age: { name: "age", type: "int", optional: true },
      due: { name: "due", type: "date", optional: true },
      tags: { name: "tags", type: "string", optional: false, collection: "list" },
      owner: { name: "owner", type: "object", objectType: "User", optional: true },
    },
  },
  User: {
    name: "User",
    primaryKey: "_id",
    properties: {
      _id: { name: "_id", type: "int", optional: false },
      name: { name: "name", type: "string", optional: false },
    },
  },
};

export interface Task {
  _id: number;
  name: string;
  status: string;
  priority: number;
  age: number | null;
  due: Date | null;
  tags: string[];
}

const STATUSES = ["open", "closed", "blocked", "review"];
const TAGS = ["urgent", "home", "work", "later", "ideas", "errand"];

/** `count` tasks from a fixed-seed generator, so every run measures the same data. */
export function makeTasks(count: number): Task[] {
  let seed = 42;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  return Array.from({ length: count }, (_, i) => ({
    _id: i,
    name: `${next() < 0.5 ? "Task" : "task"}-${Math.floor(next() * 1_000_000)}`,
    status: STATUSES[Math.floor(next() * STATUSES.length)] as string,
    priority: Math.floor(next() * 5),
    age: next() < 0.1 ? null : Math.floor(next() * 100),
    due:
      next() < 0.2 ? null : new Date(Date.UTC(2024, 0, 1) + Math.floor(next() * 365 * 86_400_000)),
    tags: TAGS.filter(() => next() < 0.15),
  }));
}

/** Median wall time in milliseconds of `runs` calls of `op` (after one warm-up call). */
export function medianMs(op: () => unknown, runs = 5): number {
  op();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    op();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

export function fixed(value: number, digits = 2): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(digits);
}
