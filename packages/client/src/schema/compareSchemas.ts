/**
 * Compares the schema stored in a realm file with the one a realm is opened with. Additive
 * changes (new types, new properties, index changes) need nothing; anything else needs a higher
 * schemaVersion and, usually, a migration function.
 */
import type { CanonicalObjectSchema, CanonicalPropertySchema } from "./types.js";

/** The schema as stored in the file: canonical, without classes or default values. */
export function serializeSchema(schema: readonly CanonicalObjectSchema[]): CanonicalObjectSchema[] {
  return schema.map((object) => ({
    name: object.name,
    embedded: object.embedded,
    asymmetric: object.asymmetric,
    ...(object.primaryKey !== undefined ? { primaryKey: object.primaryKey } : {}),
    properties: Object.fromEntries(
      Object.entries(object.properties).map(([name, { default: _default, ...property }]) => [
        name,
        property,
      ]),
    ),
  }));
}

function describe(property: CanonicalPropertySchema): string {
  return property.objectType ? `${property.type}<${property.objectType}>` : property.type;
}

/** The changes that need a migration, one sentence each (empty when the change is additive). */
export function breakingChanges(
  stored: readonly CanonicalObjectSchema[],
  wanted: readonly CanonicalObjectSchema[],
): string[] {
  const changes: string[] = [];
  const wantedByName = new Map(wanted.map((o) => [o.name, o]));
  for (const before of stored) {
    const after = wantedByName.get(before.name);
    if (!after) continue;
    if (before.primaryKey !== after.primaryKey) {
      changes.push(
        after.primaryKey === undefined
          ? `Primary Key for class '${before.name}' has been removed.`
          : before.primaryKey === undefined
            ? `Primary Key for class '${before.name}' has been added.`
            : `Primary Key for class '${before.name}' has changed from '${before.primaryKey}' to '${after.primaryKey}'.`,
      );
    }
    if (before.embedded !== after.embedded)
      changes.push(`Class '${before.name}' has changed whether it is embedded.`);
    const afterByKey = new Map(Object.values(after.properties).map((p) => [p.mapTo, p]));
    for (const property of Object.values(before.properties)) {
      if (property.type === "linkingObjects") continue;
      const next = afterByKey.get(property.mapTo);
      const where = `'${before.name}.${property.mapTo}'`;
      if (!next) {
        changes.push(`Property ${where} has been removed.`);
      } else if (describe(property) !== describe(next)) {
        changes.push(
          `Property ${where} has been changed from '${describe(property)}' to '${describe(next)}'.`,
        );
      } else if (property.optional !== next.optional) {
        changes.push(`Property ${where} has been made ${next.optional ? "optional" : "required"}.`);
      }
    }
  }
  return changes;
}
