/**
 * What a client request (the HTTP data API, a function running as a user, a `watch` filter)
 * may put in a filter, update, projection, sort or pipeline: an allow-list of operators and
 * stages, checked with the static bounds of queryLimits.ts before anything runs. Operators App
 * Services keeps to system context are refused as such; anything else off the lists is
 * refused as unsupported. Field names may not walk JavaScript prototypes (`__proto__`,
 * `constructor`, `prototype`). Every refusal is a `MongoDBError` naming the operator.
 */
import { AppError } from "@atoll/protocol";
import { isDocument } from "./checkArguments.js";
import type { QueryLimits } from "./queryLimits.js";
import { isRegexValue, regexParts, safeRegex } from "./safeRegex.js";
import type { Document } from "./types.js";

type Bounds = Pick<
  QueryLimits,
  "maxNestingDepth" | "maxPipelineStages" | "maxRangeLength" | "maxRegexLength"
>;

const LOGICAL_QUERY_OPERATORS = new Set(["$and", "$or", "$nor"]);

const FIELD_QUERY_OPERATORS = new Set([
  ...["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin"],
  ...["$not", "$exists", "$type", "$mod", "$all", "$elemMatch", "$size"],
]);

/** App Services allows these in system context only. */
const SYSTEM_ONLY_QUERY_OPERATORS = new Set([
  ...["$expr", "$jsonSchema", "$regex", "$options", "$text", "$where", "$function", "$accumulator"],
  ...["$geoWithin", "$geoIntersects", "$near", "$nearSphere"],
  ...["$bitsAllSet", "$bitsAllClear", "$bitsAnySet", "$bitsAnyClear"],
]);

const UPDATE_OPERATORS = new Set([
  ...["$set", "$unset", "$setOnInsert", "$inc", "$mul", "$min", "$max", "$rename", "$currentDate"],
  ...["$push", "$pop", "$pull", "$pullAll", "$addToSet", "$bit"],
]);

const ARRAY_UPDATE_MODIFIERS = new Set(["$each", "$slice", "$sort", "$position"]);

/** Stages whose argument maps output fields to expressions. */
const FIELD_EXPRESSION_STAGES = new Set(["$project", "$addFields", "$set", "$group"]);

/** Stages whose argument is an expression (or a document of expressions and literals). */
const EXPRESSION_STAGES = new Set([
  "$replaceRoot",
  "$replaceWith",
  "$sortByCount",
  "$bucket",
  "$bucketAuto",
]);

const PLAIN_STAGES = new Set(["$match", "$sort", "$limit", "$skip", "$count", "$unset", "$unwind"]);

const SYSTEM_ONLY_STAGES = new Set([
  ...["$collStats", "$facet", "$geoNear", "$graphLookup", "$indexStats", "$lookup"],
  ...["$merge", "$out", "$unionWith"],
]);

const EXPRESSION_OPERATORS = new Set([
  // arithmetic
  ...["$abs", "$add", "$ceil", "$divide", "$exp", "$floor", "$ln", "$log", "$log10", "$mod"],
  ...["$multiply", "$pow", "$round", "$sqrt", "$subtract", "$trunc"],
  // arrays
  ...["$arrayElemAt", "$arrayToObject", "$concatArrays", "$filter", "$first", "$firstN", "$in"],
  ...["$indexOfArray", "$isArray", "$last", "$lastN", "$map", "$maxN", "$minN", "$objectToArray"],
  ...["$range", "$reduce", "$reverseArray", "$size", "$slice", "$sortArray", "$zip"],
  // boolean, comparison, conditional
  ...["$and", "$or", "$not", "$cmp", "$eq", "$gt", "$gte", "$lt", "$lte", "$ne"],
  ...["$cond", "$ifNull", "$switch"],
  // dates
  ...[
    "$dateAdd",
    "$dateDiff",
    "$dateFromParts",
    "$dateFromString",
    "$dateSubtract",
    "$dateToParts",
  ],
  ...["$dateToString", "$dateTrunc", "$dayOfMonth", "$dayOfWeek", "$dayOfYear", "$hour"],
  ...["$isoDayOfWeek", "$isoWeek", "$isoWeekYear", "$millisecond", "$minute", "$month"],
  ...["$second", "$week", "$year"],
  // literals, objects, sets
  ...["$literal", "$mergeObjects", "$allElementsTrue", "$anyElementTrue", "$setDifference"],
  ...["$setEquals", "$setIntersection", "$setUnion"],
  // strings
  ...["$concat", "$indexOfBytes", "$indexOfCP", "$ltrim", "$rtrim", "$trim", "$regexFind"],
  ...["$regexFindAll", "$regexMatch", "$replaceAll", "$replaceOne", "$split", "$strcasecmp"],
  ...["$strLenBytes", "$strLenCP", "$substr", "$substrBytes", "$substrCP", "$toLower", "$toUpper"],
  // trigonometry
  ...["$sin", "$cos", "$tan", "$asin", "$acos", "$atan", "$atan2", "$sinh", "$cosh", "$tanh"],
  ...["$asinh", "$acosh", "$atanh", "$degreesToRadians", "$radiansToDegrees"],
  // types and variables
  ...[
    "$convert",
    "$isNumber",
    "$toBool",
    "$toDate",
    "$toDecimal",
    "$toDouble",
    "$toInt",
    "$toLong",
  ],
  ...["$toObjectId", "$toString", "$type", "$let"],
  // accumulators ($group, and over arrays in $project)
  ...["$sum", "$avg", "$min", "$max", "$push", "$addToSet", "$count", "$stdDevPop", "$stdDevSamp"],
  ...["$top", "$topN", "$bottom", "$bottomN", "$median", "$percentile"],
]);

/** App Services allows these in system context only. */
const SYSTEM_ONLY_EXPRESSION_OPERATORS = new Set([
  "$function",
  "$accumulator",
  "$setIsSubset",
  "$where",
]);

const REGEX_EXPRESSION_OPERATORS = new Set(["$regexMatch", "$regexFind", "$regexFindAll"]);

const PROTOTYPE_NAMES = new Set(["__proto__", "constructor", "prototype"]);

export function checkClientFilter(filter: unknown, bounds: Bounds): void {
  checkDepth(filter, bounds);
  checkClause(filter);
}

export function checkClientUpdate(
  update: unknown,
  bounds: Bounds,
  arrayFilters?: readonly unknown[],
): void {
  checkDepth(update, bounds);
  if (!isDocument(update)) return;
  for (const [operator, fields] of Object.entries(update)) {
    if (!UPDATE_OPERATORS.has(operator)) throw refusal("update operator", operator);
    if (!isDocument(fields)) continue;
    for (const [path, value] of Object.entries(fields)) {
      checkFieldPath(path);
      if (operator === "$rename" && typeof value === "string") checkFieldPath(value);
      if (operator === "$pull") checkPullCondition(value);
      if (
        (operator === "$push" || operator === "$addToSet") &&
        isDocument(value) &&
        hasOperatorKeys(value)
      ) {
        for (const modifier of Object.keys(value)) {
          if (!ARRAY_UPDATE_MODIFIERS.has(modifier))
            throw refusal(`${operator} modifier`, modifier);
        }
      }
    }
  }
  for (const filter of arrayFilters ?? []) checkClientFilter(filter, bounds);
}

export function checkClientProjection(projection: unknown, bounds: Bounds): void {
  checkDepth(projection, bounds);
  if (!isDocument(projection)) return;
  for (const [path, value] of Object.entries(projection)) {
    checkFieldPath(path.endsWith(".$") ? path.slice(0, -2) : path);
    if (isDocument(value) && "$elemMatch" in value && Object.keys(value).length === 1) {
      checkClause(value.$elemMatch);
    } else if (!(isDocument(value) && "$slice" in value && Object.keys(value).length === 1)) {
      checkExpression(value, bounds);
    }
  }
}

export function checkClientSort(sort: unknown, bounds: Bounds): void {
  checkDepth(sort, bounds);
  if (!isDocument(sort)) return;
  for (const [path, direction] of Object.entries(sort)) {
    checkFieldPath(path);
    if (direction !== 1 && direction !== -1) {
      throw new AppError("MongoDBError", `sort direction for '${path}' must be 1 or -1`, {
        details: { field: path },
      });
    }
  }
}

/** A client pipeline: its length, depth, stages and every filter and expression inside. */
export function checkClientPipeline(pipeline: readonly Document[], bounds: Bounds): void {
  if (pipeline.length > bounds.maxPipelineStages) {
    throw new AppError(
      "MongoDBError",
      `a pipeline is limited to ${bounds.maxPipelineStages} stages`,
    );
  }
  checkDepth(pipeline, bounds);
  for (const stage of pipeline) {
    for (const [name, argument] of Object.entries(stage)) {
      if (SYSTEM_ONLY_STAGES.has(name)) throw refusal("aggregation stage", name, true);
      if (name === "$match") checkClause(argument);
      else if (name === "$sort") checkClientSort(argument, bounds);
      else if (name === "$unset")
        [argument].flat().forEach((path) => typeof path === "string" && checkFieldPath(path));
      else if (name === "$count" && typeof argument === "string") checkFieldPath(argument);
      else if (name === "$project") checkClientProjection(argument, bounds);
      else if (FIELD_EXPRESSION_STAGES.has(name) && isDocument(argument)) {
        for (const [field, value] of Object.entries(argument)) {
          checkFieldPath(field);
          checkExpression(value, bounds);
        }
      } else if (EXPRESSION_STAGES.has(name)) checkExpression(argument, bounds);
      else if (!PLAIN_STAGES.has(name) && !FIELD_EXPRESSION_STAGES.has(name))
        throw refusal("aggregation stage", name);
    }
  }
}

/** A projection that computes values (expressions or field paths), rather than keeping or dropping fields. */
export function isComputedProjection(projection: Document | undefined): boolean {
  if (projection === undefined) return false;
  return Object.values(projection).some((value) => {
    if (typeof value === "number" || typeof value === "boolean") return false;
    if (
      isDocument(value) &&
      Object.keys(value).length === 1 &&
      ("$slice" in value || "$elemMatch" in value)
    )
      return false;
    return true;
  });
}

function checkClause(clause: unknown): void {
  if (!isDocument(clause)) return;
  for (const [key, value] of Object.entries(clause)) {
    if (LOGICAL_QUERY_OPERATORS.has(key)) {
      if (Array.isArray(value)) value.forEach(checkClause);
    } else if (key.startsWith("$")) {
      throw refusal("query operator", key, SYSTEM_ONLY_QUERY_OPERATORS.has(key));
    } else {
      checkFieldPath(key);
      checkCondition(value);
    }
  }
}

function checkCondition(condition: unknown): void {
  if (isRegexValue(condition)) throw refusal("query operator", "$regex", true);
  if (!isDocument(condition) || !hasOperatorKeys(condition)) return;
  for (const [operator, argument] of Object.entries(condition)) {
    if (!FIELD_QUERY_OPERATORS.has(operator)) {
      throw refusal("query operator", operator, SYSTEM_ONLY_QUERY_OPERATORS.has(operator));
    }
    if (operator === "$not") checkCondition(argument);
    if (operator === "$elemMatch" && isDocument(argument)) {
      if (hasOperatorKeys(argument)) checkCondition(argument);
      else checkClause(argument);
    }
    if (Array.isArray(argument)) {
      for (const item of argument) {
        if (isRegexValue(item)) throw refusal("query operator", "$regex", true);
        if (operator === "$all" && isDocument(item) && "$elemMatch" in item) checkCondition(item);
      }
    }
  }
}

function checkPullCondition(condition: unknown): void {
  if (isDocument(condition) && !hasOperatorKeys(condition)) checkClause(condition);
  else checkCondition(condition);
}

function checkExpression(expression: unknown, bounds: Bounds): void {
  if (Array.isArray(expression)) {
    for (const item of expression) checkExpression(item, bounds);
    return;
  }
  if (!isDocument(expression)) return;
  for (const [key, argument] of Object.entries(expression)) {
    if (!key.startsWith("$")) {
      checkFieldName(key);
      checkExpression(argument, bounds);
      continue;
    }
    if (!EXPRESSION_OPERATORS.has(key)) {
      throw refusal("expression operator", key, SYSTEM_ONLY_EXPRESSION_OPERATORS.has(key));
    }
    if (key === "$literal") continue;
    if (key === "$range") checkLiteralRange(argument, bounds);
    if (REGEX_EXPRESSION_OPERATORS.has(key)) checkLiteralRegex(argument, bounds);
    checkExpression(argument, bounds);
  }
}

/** A `$range` of literal numbers is refused here when too long, before any evaluation. */
function checkLiteralRange(argument: unknown, bounds: Bounds): void {
  if (!Array.isArray(argument) || !argument.every((n) => typeof n === "number")) return;
  const [start = 0, end = 0, step = 1] = argument;
  const length = step === 0 ? 0 : Math.ceil((end - start) / step);
  if (length > bounds.maxRangeLength) {
    throw new AppError(
      "MongoDBError",
      `$range would produce ${length} elements; the limit is ${bounds.maxRangeLength}`,
      {
        details: { operator: "$range" },
      },
    );
  }
}

/** A literal pattern must compile on RE2 within the length limit. */
function checkLiteralRegex(argument: unknown, bounds: Bounds): void {
  if (!isDocument(argument)) return;
  const parts =
    regexParts(argument.regex) ??
    (typeof argument.regex === "string" ? { pattern: argument.regex, options: "" } : undefined);
  if (parts === undefined) return;
  const options = typeof argument.options === "string" ? argument.options : parts.options;
  safeRegex(parts.pattern, options, bounds.maxRegexLength);
}

/** Refuses documents nested deeper than the limit, without recursing past it. */
function checkDepth(value: unknown, bounds: Bounds): void {
  const visit = (item: unknown, depth: number): void => {
    if (item === null || typeof item !== "object") return;
    if (depth > bounds.maxNestingDepth) {
      throw new AppError(
        "MongoDBError",
        `documents in a query are limited to ${bounds.maxNestingDepth} levels of nesting`,
      );
    }
    if (Array.isArray(item)) for (const entry of item) visit(entry, depth + 1);
    else if (isDocument(item)) for (const entry of Object.values(item)) visit(entry, depth + 1);
  };
  visit(value, 1);
}

/** Refuses a field path that would walk a JavaScript prototype when written. */
export function checkFieldPath(path: string): void {
  for (const segment of path.split(".")) checkFieldName(segment);
}

function checkFieldName(name: string): void {
  if (PROTOTYPE_NAMES.has(name)) {
    throw new AppError("MongoDBError", `the field name '${name}' is not allowed in a query`, {
      details: { field: name },
    });
  }
}

function hasOperatorKeys(value: Document): boolean {
  return Object.keys(value).some((key) => key.startsWith("$"));
}

function refusal(kind: string, name: string, systemOnly = false): AppError {
  const message = systemOnly
    ? `${kind} ${name} is only allowed in system context`
    : `${kind} ${name} is not supported`;
  return new AppError("MongoDBError", message, { details: { operator: name } });
}
