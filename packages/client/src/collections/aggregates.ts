/** min/max/sum/avg over a collection, with Realm's rules: nulls are skipped, only numbers and dates. */
import { Decimal128 } from "bson";
import { errors } from "../errors.js";
import { compareValues, readKeyPath } from "./sorting.js";

export type AggregateName = "min" | "max" | "sum" | "avg";

function valuesOf(items: readonly unknown[], property: string | undefined): unknown[] {
  const values = property === undefined ? items : items.map((item) => readKeyPath(item, property));
  return values.filter((v) => v !== null && v !== undefined);
}

function checkNumeric(values: readonly unknown[], name: AggregateName, allowDate: boolean): void {
  for (const value of values) {
    if (
      typeof value === "number" ||
      value instanceof Decimal128 ||
      (allowDate && value instanceof Date)
    )
      continue;
    throw errors.invalidArgument(
      `Cannot ${name} values of type ${typeof value}: only numbers${allowDate ? " and dates" : ""} can be aggregated`,
    );
  }
}

export function aggregate(
  name: AggregateName,
  items: readonly unknown[],
  property: string | undefined,
): unknown {
  const values = valuesOf(items, property);
  if (name === "min" || name === "max") {
    checkNumeric(values, name, true);
    if (values.length === 0) return undefined;
    return values.reduce((best, value) => {
      const order = compareValues(value, best);
      return (name === "min" ? order < 0 : order > 0) ? value : best;
    });
  }
  checkNumeric(values, name, false);
  const total = values.reduce<number>(
    (sum, value) => sum + Number(value instanceof Decimal128 ? value.toString() : value),
    0,
  );
  if (name === "sum") return total;
  return values.length === 0 ? undefined : total / values.length;
}
