/** The bridge to @atoll/rql: binding queries against the realm's schema, with Realm's errors. */
import { RqlError, applyQuery, bindQuery } from "@atoll/rql";
import type { BoundQuery, RqlSchema } from "@atoll/rql";
import { ClientErrorCode, RealmError } from "../errors.js";
import type { Database } from "../core/Database.js";
import type { RealmContext } from "../core/RealmContext.js";
import type { ClassInfo, ObjectRow } from "../schema/ClassInfo.js";
import { rowOf } from "../objects/symbols.js";

/** The schema in the form the query binder reads. */
export function toRqlSchema(classes: Iterable<ClassInfo>): RqlSchema {
  const schema: RqlSchema = {};
  for (const cls of classes) {
    const properties: RqlSchema[string]["properties"] = {};
    for (const prop of cls.props) {
      properties[prop.name] = {
        name: prop.name,
        type: prop.element,
        // A counter is an int to queries; the object holds it as a Counter (valueOf: the int).
        ...(prop.schema.presentation === "counter" ? { boxed: true } : {}),
        optional: prop.optional,
        ...(prop.schema.indexed === "full-text" ? { fullTextIndexed: true } : {}),
        ...(prop.objectType !== undefined ? { objectType: prop.objectType } : {}),
        ...(prop.collection !== undefined ? { collection: prop.collection } : {}),
        ...(prop.element === "linkingObjects" ? { linkOriginProperty: prop.schema.property } : {}),
      };
    }
    schema[cls.name] = {
      name: cls.name,
      properties,
      ...(cls.pk ? { primaryKey: cls.pk.name } : {}),
      ...(cls.embedded ? { embedded: true } : {}),
      ...(cls.asymmetric ? { asymmetric: true } : {}),
    };
  }
  return schema;
}

export function bind(
  context: RealmContext,
  cls: ClassInfo,
  query: string,
  args: unknown[],
): BoundQuery {
  if (typeof query !== "string") {
    throw new RealmError(
      ClientErrorCode.InvalidQuery,
      `Expected a query string, got ${typeof query}`,
    );
  }
  try {
    return bindQuery(query, context.rqlSchema, cls.name, args);
  } catch (error) {
    if (error instanceof RqlError) {
      throw new RealmError(
        ClientErrorCode.InvalidQuery,
        `Invalid query on '${cls.name}': ${error.message}`,
        {
          details: { objectType: cls.name, query, rqlCode: error.code },
          cause: error,
        },
      );
    }
    throw error;
  }
}

/** Rows of `fromClass` whose `fromProperty` links to `target`. */
export function backlinkRows(
  db: Database,
  target: ObjectRow,
  fromClass: string,
  fromProperty: string,
): ObjectRow[] {
  const origin = db.classes.get(fromClass);
  const prop = origin?.byName.get(fromProperty);
  if (!origin || !prop) return [];
  const result: ObjectRow[] = [];
  for (const row of origin.rows.values()) {
    const value = row.values[prop.key];
    if (value === target.key) result.push(row);
    else if (Array.isArray(value) && value.includes(target.key)) result.push(row);
    else if (prop.collection === "dictionary" && value !== null && typeof value === "object") {
      if (Object.values(value).includes(target.key)) result.push(row);
    }
  }
  return result;
}

export function runQuery<T extends object>(
  context: RealmContext,
  bound: BoundQuery,
  objects: T[],
): T[] {
  return applyQuery<T>(bound, objects, {
    backlinks(target: object, fromClass: string, fromProperty: string): Iterable<object> {
      const row = rowOf(target);
      if (!row) return [];
      return backlinkRows(context.db, row, fromClass, fromProperty).map((r) =>
        context.objectFor(r),
      );
    },
  });
}
