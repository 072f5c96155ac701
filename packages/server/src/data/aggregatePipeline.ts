/**
 * The aggregation subset Atoll runs: $match, $project, $addFields, $set, $unset, $sort,
 * $limit, $skip, $group (with mingo's accumulators: $sum, $avg, $min, $max, $first, $last,
 * $push, $addToSet, $count...), $count, $unwind, $replaceRoot, $replaceWith, $sortByCount,
 * $bucket, $bucketAuto, and $lookup (system context only, as in App Services, from a
 * collection of the same database). Any other stage is refused with a `MongoDBError` naming
 * it. What user-context pipelines may contain inside these stages is clientQueryPolicy.ts's.
 */
import { AppError } from "@atoll/protocol";
import type { Document } from "./types.js";

const SUPPORTED_STAGES = new Set([
  "$match",
  "$project",
  "$addFields",
  "$set",
  "$unset",
  "$sort",
  "$limit",
  "$skip",
  "$group",
  "$count",
  "$unwind",
  "$replaceRoot",
  "$replaceWith",
  "$sortByCount",
  "$bucket",
  "$bucketAuto",
  "$lookup",
]);

/** Checks the pipeline's shape and stages; returns the collections its `$lookup`s read. */
export function checkPipeline(pipeline: readonly Document[], systemContext: boolean): string[] {
  if (!Array.isArray(pipeline))
    throw new AppError("MongoDBError", "the pipeline must be an array of stages");
  const lookups: string[] = [];
  for (const stage of pipeline) {
    const keys = stage !== null && typeof stage === "object" ? Object.keys(stage) : [];
    const name = keys[0];
    if (keys.length !== 1 || name === undefined) {
      throw new AppError(
        "MongoDBError",
        "each pipeline stage must be a document with exactly one stage operator",
      );
    }
    if (!SUPPORTED_STAGES.has(name)) {
      throw new AppError("MongoDBError", `aggregation stage ${name} is not supported`, {
        details: { stage: name },
      });
    }
    if (name === "$lookup") {
      if (!systemContext) {
        throw new AppError("MongoDBError", "$lookup is only allowed in system context", {
          details: { stage: name },
        });
      }
      const from = (stage.$lookup as { from?: unknown } | null)?.from;
      if (typeof from !== "string")
        throw new AppError("MongoDBError", "$lookup needs a 'from' collection name");
      lookups.push(from);
    }
  }
  return lookups;
}
