import type { BoundOrdering, BoundPath, BoundQuery } from "../bind/bound.js";
import type { EvalContext } from "./context.js";
import { evaluate } from "./evaluator.js";
import { pathValues } from "./pathEvaluator.js";
import { bytesOf, kindOf, sortOrder, toJsNumber } from "./values.js";

/**
 * Filters `objects` with the query, then applies SORT, DISTINCT and LIMIT in the order they
 * were written, as Realm does: each SORT is stable, so an earlier SORT breaks the ties of a
 * later one; DISTINCT keeps the first object of each group; LIMIT keeps the first n.
 */
export function applyQuery<T extends object>(
  bound: BoundQuery,
  objects: Iterable<T>,
  ctx?: EvalContext,
): T[] {
  let results: T[] = [];
  for (const object of objects) if (evaluate(bound, object, ctx)) results.push(object);
  for (const step of bound.ordering) results = applyOrdering(step, results, ctx);
  return results;
}

function applyOrdering<T extends object>(
  step: BoundOrdering,
  objects: T[],
  ctx: EvalContext | undefined,
): T[] {
  switch (step.kind) {
    case "limit":
      return objects.slice(0, step.count);
    case "sort": {
      const keyed = objects.map((object) => ({
        object,
        keys: step.keys.map((key) => valueOf(key.path, object, ctx)),
      }));
      keyed.sort((a, b) => {
        for (let i = 0; i < step.keys.length; i++) {
          const order = sortOrder(a.keys[i], b.keys[i]);
          if (order !== 0) return step.keys[i]?.ascending === false ? -order : order;
        }
        return 0;
      });
      return keyed.map((entry) => entry.object);
    }
    case "distinct": {
      const seen = new Set<string>();
      const identities = new Map<unknown, number>();
      return objects.filter((object) => {
        const key = step.paths
          .map((path) => distinctKey(valueOf(path, object, ctx), identities))
          .join("\u0000");
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    }
  }
}

function valueOf(path: BoundPath, object: object, ctx: EvalContext | undefined): unknown {
  return pathValues(path, object, { context: ctx, variables: undefined })[0] ?? null;
}

/** A string equal for two values exactly when RQL's == holds between them. */
function distinctKey(value: unknown, identities: Map<unknown, number>): string {
  const kind = kindOf(value);
  switch (kind) {
    case "null":
      return "null";
    case "number":
    case "decimal":
      return `#${toJsNumber(value)}`;
    case "string":
      return `s${value as string}`;
    case "date":
      return `d${(value as Date).getTime()}`;
    case "binary":
    case "uuid":
      return `${kind}${Buffer.from(bytesOf(value)).toString("hex")}`;
    case "objectId":
      return `o${String(value)}`;
    case "bool":
      return `b${String(value)}`;
    default: {
      let id = identities.get(value);
      if (id === undefined) identities.set(value, (id = identities.size));
      return `${kind}${id}`;
    }
  }
}
