import type { Operator } from "../parse/ast.js";
import { likeToRegExp, normaliseForMatch } from "./strings.js";
import type { StringModifiers } from "./strings.js";
import { bytesOf, compareValues, kindOf, valuesEqual } from "./values.js";

/** One comparison between two single values, as RQL defines it (IN and BETWEEN are handled by the caller). */
export type PairTest = (left: unknown, right: unknown) => boolean;

export interface PairOptions extends StringModifiers {
  /** compare @type names (with "numeric" matching every number type) rather than values */
  typeNames: boolean;
  /** objects of this class compare by primary key when they are not the same instance */
  primaryKey: string | undefined;
}

const NUMERIC_TYPES = new Set(["int", "double", "float", "decimal"]);

export function pairTest(
  operator: Exclude<Operator, "in" | "between">,
  options: PairOptions,
): PairTest {
  const equal = equality(options);
  switch (operator) {
    case "==":
      return equal;
    case "!=":
      return (l, r) => !equal(l, r);
    case "<":
      return (l, r) => (compareValues(l, r) ?? NaN) < 0;
    case "<=":
      return (l, r) => (compareValues(l, r) ?? NaN) <= 0;
    case ">":
      return (l, r) => (compareValues(l, r) ?? NaN) > 0;
    case ">=":
      return (l, r) => (compareValues(l, r) ?? NaN) >= 0;
    default:
      return stringTest(operator, options);
  }
}

export function equality(options: PairOptions): PairTest {
  if (options.typeNames)
    return (l, r) =>
      l === r ||
      (r === "numeric" && NUMERIC_TYPES.has(l as string)) ||
      (r === "double" && l === "float");
  if (options.caseInsensitive || options.diacriticInsensitive) {
    const needle = normalisedNeedle(options);
    return (l, r) =>
      typeof l === "string" && typeof r === "string"
        ? normaliseForMatch(l, options) === needle(r)
        : valuesEqual(l, r, options.primaryKey);
  }
  return (l, r) =>
    typeof l === "string" && typeof r === "string"
      ? l === r
      : valuesEqual(l, r, options.primaryKey);
}

/** Normalises the right-hand side, remembering the last one: it is nearly always the same constant. */
function normalisedNeedle(options: StringModifiers): (text: string) => string {
  let last: string | undefined;
  let normalised = "";
  return (text) => {
    if (text !== last) {
      last = text;
      normalised = normaliseForMatch(text, options);
    }
    return normalised;
  };
}

function stringTest(
  operator: "beginswith" | "endswith" | "contains" | "like",
  options: StringModifiers,
): PairTest {
  const normalise = normalisedNeedle(options);
  return (l, r) => {
    if (typeof l === "string" && typeof r === "string") {
      const haystack = normaliseForMatch(l, options);
      const needle = normalise(r);
      switch (operator) {
        case "beginswith":
          return haystack.startsWith(needle);
        case "endswith":
          return haystack.endsWith(needle);
        case "contains":
          return haystack.includes(needle);
        case "like":
          return likeToRegExp(needle).test(haystack);
      }
    }
    if (kindOf(l) === "binary" && kindOf(r) === "binary" && operator !== "like") {
      const haystack = Buffer.from(bytesOf(l));
      const needle = Buffer.from(bytesOf(r));
      if (operator === "contains") return haystack.includes(needle);
      const at = operator === "beginswith" ? 0 : haystack.length - needle.length;
      return at >= 0 && haystack.subarray(at, at + needle.length).equals(needle);
    }
    return false;
  };
}
