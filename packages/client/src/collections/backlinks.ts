/** Results of the objects linking to an object (linkingObjects properties and `obj.linkingObjects`). */
import type { RealmContext } from "../core/RealmContext.js";
import { errors } from "../errors.js";
import type { ObjectRow } from "../schema/ClassInfo.js";
import { backlinkRows } from "../query/query.js";
import { Results } from "./Results.js";

export function backlinkResults(
  context: RealmContext,
  row: ObjectRow,
  objectType: string,
  property: string,
): Results {
  const origin = context.db.classes.get(objectType);
  if (!origin) throw errors.typeNotFound(objectType);
  const prop = origin.byName.get(property);
  if (!prop || prop.target !== row.cls) throw errors.unknownProperty(objectType, property);
  return new Results(context, origin, () =>
    row.alive ? backlinkRows(context.db, row, objectType, property) : [],
  );
}
