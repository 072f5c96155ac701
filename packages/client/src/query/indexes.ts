/**
 * The query fast path over indexes (primary key and schema/PropertyIndex): a
 * query whose predicate requires `indexedProperty == constant` (alone or in an AND) only
 * evaluates the objects the index holds for that constant. The full query still runs on those
 * candidates, so the index only has to be a correct superset.
 */
import { ObjectId, UUID } from "bson";
import type { BoundPredicate } from "@atoll/rql";
import type { ClassInfo, ObjectRow, PropInfo } from "../schema/ClassInfo.js";
import { pkIndexKey } from "../values/indexKey.js";

/** Whether a query constant can be looked up in an index on `prop` with the same meaning as `==`. */
function comparable(prop: PropInfo, value: unknown): boolean {
  if (value === null) return prop.optional;
  switch (prop.element) {
    case "int":
      return typeof value === "number";
    case "string":
      return typeof value === "string";
    case "bool":
      return typeof value === "boolean";
    case "objectId":
      return value instanceof ObjectId;
    case "uuid":
      return value instanceof UUID;
    default:
      return false;
  }
}

/** Candidate rows for `predicate` from an index, or undefined when no index applies. */
export function indexCandidates(
  cls: ClassInfo,
  predicate: BoundPredicate,
): ObjectRow[] | undefined {
  if (predicate.kind === "and") {
    for (const operand of predicate.operands) {
      const rows = indexCandidates(cls, operand);
      if (rows) return rows;
    }
    return undefined;
  }
  if (predicate.kind !== "comparison" || predicate.operator !== "==" || predicate.caseInsensitive)
    return undefined;
  const [path, constant] =
    predicate.left.kind === "path"
      ? [predicate.left, predicate.right]
      : [predicate.right, predicate.left];
  if (path.kind !== "path" || constant.kind !== "constant") return undefined;
  if (path.variable !== undefined || path.steps.length !== 1 || path.quantifier !== undefined)
    return undefined;
  const step = path.steps[0];
  if (step?.kind !== "property") return undefined;
  const prop = cls.byName.get(step.name);
  if (!prop || !comparable(prop, constant.value)) return undefined;
  if (prop === cls.pk) {
    const row = cls.pkIndex.get(pkIndexKey(constant.value));
    return row ? [row] : [];
  }
  return cls.indexes.get(prop.key)?.lookup(constant.value);
}
