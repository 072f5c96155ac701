/**
 * The cost of evaluating a user's pipeline in a bounded worker process: an ordinary small
 * aggregate ($match, $group, $sort over one user's 50 Car documents) as a user, whose
 * pipeline runs in the evaluation pool, against the same documents and pipeline evaluated in
 * process (the baseline), measured in the same run with a warm worker.
 * Usage: npx tsx --conditions=@atoll/source bench/server/aggregate.ts [iterations]
 */
import { ObjectId } from "bson";
import { EvaluationPool } from "../../packages/server/src/data/EvaluationPool.js";
import { runStages } from "../../packages/server/src/data/mql.js";
import { DEFAULT_QUERY_LIMITS } from "../../packages/server/src/data/queryLimits.js";
import { fmt, median } from "./support.js";

const ITERATIONS = Number(process.argv[2] ?? 2_000);
const MAKES = ["Toyota", "Honda", "Ford", "Volvo", "Fiat"];
const owner = new ObjectId().toHexString();
const docs = Array.from({ length: 50 }, (_, i) => ({
  _id: new ObjectId(),
  ownerId: owner,
  make: MAKES[i % MAKES.length] ?? "",
  miles: (i * 7919) % 200_000,
  bought: new Date(Date.UTC(2020, i % 12, 1)),
}));
const pipeline = [
  { $match: { miles: { $gte: 1_000 } } },
  { $group: { _id: "$make", miles: { $sum: "$miles" }, last: { $max: "$bought" } } },
  { $sort: { miles: -1 } },
];

const pool = new EvaluationPool({ ...DEFAULT_QUERY_LIMITS, workers: 1 });
try {
  await pool.run(docs, pipeline);
  const timings = async (op: () => unknown): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const start = performance.now();
      await op();
      out.push(performance.now() - start);
    }
    return out;
  };
  const inProcess = median(await timings(() => runStages(docs, pipeline)));
  const inWorker = median(await timings(() => pool.run(docs, pipeline)));
  console.log(`aggregate over 50 documents, median of ${ITERATIONS}`);
  console.log(`  in process (baseline): ${fmt(inProcess * 1000, 0)} µs`);
  console.log(
    `  in a worker process:   ${fmt(inWorker * 1000, 0)} µs  (${fmt(inWorker / inProcess)}x, +${fmt((inWorker - inProcess) * 1000, 0)} µs)`,
  );
} finally {
  pool.close();
}
