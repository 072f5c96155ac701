/**
 * MongoDB query language over in-memory documents, through mingo with every operator loaded
 * into a private context (no global registration, no script operators). Value comparison:
 * mingo compares BSON class instances (ObjectId, UUID, Decimal128, Binary) by their string
 * form, so `{_id: ObjectId(x)}`, `$in` of ObjectIds and UUID equality match by value, and
 * ObjectIds order correctly (fixed-width hex). Dates compare as dates. Range operators and
 * find's sort compare Decimal128 and int64 values numerically (numericComparisons.ts); a
 * `$sort` stage inside an aggregation pipeline still orders them by their text.
 * Regexes run on RE2 and `$range` is capped (safeOperators.ts), within the bounds the caller
 * passes (the defaults of queryLimits.ts otherwise). Every mingo failure becomes
 * `AppError("MongoDBError")` with mingo's message.
 */
import { AppError } from "@atoll/protocol";
import { Aggregator, Context, Query } from "mingo";
import type { Options } from "mingo/core";
import * as accumulatorOperators from "mingo/operators/accumulator";
import * as expressionOperators from "mingo/operators/expression";
import * as pipelineOperators from "mingo/operators/pipeline";
import * as projectionOperators from "mingo/operators/projection";
import * as queryOperators from "mingo/operators/query";
import { isDocument } from "./checkArguments.js";
import { equalityPredicate } from "./equalityFilter.js";
import { numericComparisonOperators, sortWithWideNumbers } from "./numericComparisons.js";
import { DEFAULT_QUERY_LIMITS } from "./queryLimits.js";
import {
  safeExpressionOperators,
  safeQueryOperators,
  type EvaluationBounds,
} from "./safeOperators.js";
import { withRegexConditions } from "./safeRegex.js";
import type { Document } from "./types.js";

const contexts = new WeakMap<EvaluationBounds, Partial<Options>>();

/** mingo's options for evaluating within `bounds`, built once per bounds object. */
function mqlOptions(bounds: EvaluationBounds): Partial<Options> {
  let options = contexts.get(bounds);
  if (options === undefined) {
    options = {
      context: Context.init()
        .addAccumulatorOps(operators(accumulatorOperators))
        // Registered first, so they take precedence over mingo's operators of the same name.
        .addExpressionOps(safeExpressionOperators(bounds))
        .addExpressionOps(operators(expressionOperators))
        .addPipelineOps(operators(pipelineOperators))
        .addProjectionOps(operators(projectionOperators))
        .addQueryOps({ ...numericComparisonOperators, ...safeQueryOperators(bounds) })
        .addQueryOps(operators(queryOperators)),
      useGlobalContext: false,
      scriptEnabled: false,
      useStrictMode: true,
    };
    contexts.set(bounds, options);
  }
  return options;
}

/** An operator module as a plain table (the CommonJS build adds a `default` member). */
function operators<T>(module: object): T {
  return Object.fromEntries(Object.entries(module).filter(([name]) => name.startsWith("$"))) as T;
}

/** Compiles a filter once; the predicate can then be applied to many documents. */
export function compileFilter(
  filter: Document,
  bounds: EvaluationBounds = DEFAULT_QUERY_LIMITS,
): (doc: Document) => boolean {
  const simple = equalityPredicate(filter);
  if (simple !== undefined) return simple;
  const query = mongoError(() => new Query(withRegexConditions(filter), mqlOptions(bounds)));
  return (doc) => mongoError(() => query.test(doc));
}

export function matches(doc: Document, filter: Document): boolean {
  return compileFilter(filter)(doc);
}

export interface CursorOptions {
  readonly sort?: Document | undefined;
  readonly skip?: number | undefined;
  readonly limit?: number | undefined;
  readonly projection?: Document | undefined;
}

/** Sort, skip, limit and project documents that already passed the filter. */
export function shapeResults(
  docs: readonly Document[],
  options: CursorOptions,
  bounds: EvaluationBounds = DEFAULT_QUERY_LIMITS,
): Document[] {
  const stages: Document[] = [];
  let input = docs;
  if (options.sort !== undefined && Object.keys(options.sort).length > 0) {
    const sorted = mongoError(() => sortWithWideNumbers(docs, options.sort!));
    if (sorted === null) stages.push({ $sort: options.sort });
    else input = sorted;
  }
  if (options.skip !== undefined && options.skip > 0) stages.push({ $skip: options.skip });
  if (options.limit !== undefined && options.limit > 0) stages.push({ $limit: options.limit });
  if (options.projection !== undefined && Object.keys(options.projection).length > 0) {
    stages.push({ $project: options.projection });
  }
  if (stages.length === 0) return [...input];
  return runStages([...input], stages, undefined, bounds);
}

/**
 * Runs aggregation stages; `resolveCollection` serves `$lookup`'s `from` (documents prefetched
 * by the caller, since mingo resolves collections synchronously).
 */
export function runStages(
  docs: Document[],
  stages: readonly Document[],
  resolveCollection?: (name: string) => Document[],
  bounds: EvaluationBounds = DEFAULT_QUERY_LIMITS,
): Document[] {
  return mongoError(() => {
    const base = mqlOptions(bounds);
    const options =
      resolveCollection === undefined ? base : { ...base, collectionResolver: resolveCollection };
    return new Aggregator(stages.map(withRegexMatch), options).run<Document>(docs);
  });
}

/** A `$match` stage's filter reads its regexes as compileFilter's do. */
function withRegexMatch(stage: Document): Document {
  const filter = stage.$match;
  return isDocument(filter) && Object.keys(stage).length === 1
    ? { $match: withRegexConditions(filter) }
    : stage;
}

export function mongoError<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof AppError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new AppError("MongoDBError", message, { cause: error });
  }
}
