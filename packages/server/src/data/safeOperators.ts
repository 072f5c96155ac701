/**
 * mingo operators replaced by bounded ones, registered ahead of mingo's own in every context
 * the data layer evaluates with. Regular expressions (`$regex`, `$regexMatch`, `$regexFind`,
 * `$regexFindAll`) run on RE2 (safeRegex.ts); `$replaceAll` replaces a literal string (mingo
 * reads its `find` as a pattern); `$range` takes integers, refuses a zero step and is capped
 * in length (mingo loops forever on some arguments and builds any length).
 */
import { AppError } from "@atoll/protocol";
import {
  computeValue,
  type ExpressionOperator,
  type Options,
  type QueryOperator,
} from "mingo/core";
import { resolve } from "mingo/util";
import { regexParts, safeRegex } from "./safeRegex.js";
import type { Document } from "./types.js";

export interface EvaluationBounds {
  readonly maxRegexLength: number;
  readonly maxRangeLength: number;
}

interface RegexMatch {
  readonly match: string;
  readonly idx: number;
  readonly captures: (string | null)[];
}

export function safeQueryOperators(bounds: EvaluationBounds): Record<string, QueryOperator> {
  return {
    $regex: (selector: string, value: unknown) => {
      const parts = regexParts(value) ?? { pattern: value, options: "" };
      const regex = safeRegex(parts.pattern, parts.options, bounds.maxRegexLength);
      const test = (candidate: unknown): boolean =>
        typeof candidate === "string" && regex.test(candidate);
      return (doc) => {
        const found: unknown = resolve(doc, selector, { unwrapArray: true });
        const candidates: unknown[] = Array.isArray(found) ? found : [found];
        return candidates.some(test) || candidates.flat().some(test);
      };
    },
  };
}

export function safeExpressionOperators(
  bounds: EvaluationBounds,
): Record<string, ExpressionOperator> {
  const search = (obj: Document, expr: unknown, options: Options, all: boolean): RegexMatch[] => {
    const args = argumentDocument(expr, "$regexMatch, $regexFind and $regexFindAll");
    const input: unknown = computeValue(obj, args.input, null, options);
    if (typeof input !== "string") return [];
    const given = regexParts(args.regex) ?? {
      pattern: computeValue(obj, args.regex, null, options),
      options: "",
    };
    const flags: unknown =
      args.options === undefined ? given.options : computeValue(obj, args.options, null, options);
    const regex = safeRegex(given.pattern, flags, bounds.maxRegexLength, true);
    regex.lastIndex = 0;
    const matches: RegexMatch[] = [];
    for (let found = regex.exec(input); found !== null; found = regex.exec(input)) {
      matches.push({
        match: found[0],
        idx: found.index,
        captures: found.slice(1).map((capture) => capture ?? null),
      });
      if (!all) break;
      // An empty match would be found again at the same place.
      if (found[0] === "") regex.lastIndex += 1;
    }
    return matches;
  };
  return {
    $regexMatch: (obj, expr, options) => search(obj, expr, options, false).length > 0,
    $regexFind: (obj, expr, options) => search(obj, expr, options, false)[0] ?? null,
    $regexFindAll: (obj, expr, options) => search(obj, expr, options, true),
    $replaceAll: (obj, expr, options) => {
      const args = computeValue(obj, expr, null, options) as Document;
      const { input, find, replacement } = args;
      if (input === null || input === undefined || find === null || find === undefined) return null;
      if (replacement === null || replacement === undefined) return null;
      if (
        typeof input !== "string" ||
        typeof find !== "string" ||
        typeof replacement !== "string"
      ) {
        throw new AppError("MongoDBError", "$replaceAll needs input, find and replacement strings");
      }
      return input.replaceAll(find, () => replacement);
    },
    $range: (obj, expr, options) => {
      const args = computeValue(obj, expr, null, options);
      const [start, end, step = 1] = Array.isArray(args) ? (args as unknown[]) : [];
      if (![start, end, step].every((n) => Number.isSafeInteger(n)) || step === 0) {
        throw new AppError(
          "MongoDBError",
          "$range takes integer start and end and a non-zero integer step",
        );
      }
      const [from, to, by] = [start, end, step] as number[];
      const length = Math.max(0, Math.ceil((to! - from!) / by!));
      if (length > bounds.maxRangeLength) {
        throw new AppError(
          "MongoDBError",
          `$range would produce ${length} elements; the limit is ${bounds.maxRangeLength}`,
          {
            details: { operator: "$range" },
          },
        );
      }
      return Array.from({ length }, (_, index) => from! + index * by!);
    },
  };
}

function argumentDocument(expr: unknown, operators: string): Document {
  if (expr === null || typeof expr !== "object" || Array.isArray(expr)) {
    throw new AppError("MongoDBError", `${operators} take a document with input and regex`);
  }
  return expr as Document;
}
