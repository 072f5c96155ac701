/**
 * The schema a client sends on bind (its canonical object schemas) read as RQL classes, and
 * checked against the app's synced model (contract rule 9): without development mode every
 * client type must exist on the server with compatible property types, else the session
 * fails with `invalid_schema_change` (225) naming the type and property. In development mode
 * the client's new types are added to the model instead.
 */
import { SyncErrorCode, SyncProtocolError } from "@atoll/protocol";
import {
  RQL_SCALAR_TYPES,
  type RqlClass,
  type RqlProperty,
  type RqlPropertyType,
} from "@atoll/rql";

const SCALARS: ReadonlySet<string> = new Set(RQL_SCALAR_TYPES);
const COLLECTIONS: ReadonlySet<string> = new Set(["list", "set", "dictionary"]);

function invalid(message: string): SyncProtocolError {
  return new SyncProtocolError(SyncErrorCode.InvalidSchemaChange, message);
}

function readProperty(owner: string, name: string, raw: unknown): RqlProperty | undefined {
  const entry = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  const type = entry.type;
  const objectType = typeof entry.objectType === "string" ? entry.objectType : undefined;
  const optional = entry.optional === true;
  if (type === "linkingObjects") return undefined; // computed on the device, never synced
  if (typeof type !== "string")
    throw invalid(`Property "${owner}.${name}" has no type in the client schema`);
  if (COLLECTIONS.has(type)) {
    const element = objectType ?? "mixed";
    const collection = type as "list" | "set" | "dictionary";
    return SCALARS.has(element)
      ? { name, type: element as RqlPropertyType, optional, collection }
      : { name, type: "object", objectType: element, optional, collection };
  }
  if (type === "object") return { name, type: "object", objectType: objectType ?? "", optional };
  if (SCALARS.has(type)) return { name, type: type as RqlPropertyType, optional };
  return { name, type: "object", objectType: type, optional };
}

/** Reads `bind.schema`; a malformed entry is a schema error. */
export function readClientSchema(schema: readonly Record<string, unknown>[]): RqlClass[] {
  return schema.map((entry) => {
    const name = entry.name;
    if (typeof name !== "string" || name === "")
      throw invalid("An object schema in the client schema has no name");
    const properties: Record<string, RqlProperty> = {};
    const raw = (entry.properties ?? {}) as Record<string, unknown>;
    for (const [field, value] of Object.entries(raw)) {
      const property = readProperty(name, field, value);
      if (property) properties[field] = property;
    }
    return {
      name,
      properties,
      ...(typeof entry.primaryKey === "string" ? { primaryKey: entry.primaryKey } : {}),
      ...(entry.embedded === true ? { embedded: true } : {}),
      ...(entry.asymmetric === true ? { asymmetric: true } : {}),
    };
  });
}

function sameShape(client: RqlProperty, server: RqlProperty): boolean {
  return (
    client.type === server.type &&
    (client.collection ?? null) === (server.collection ?? null) &&
    (client.type !== "object" || client.objectType === server.objectType)
  );
}

function describe(property: RqlProperty): string {
  const element = property.type === "object" ? (property.objectType ?? "object") : property.type;
  return property.collection ? `${property.collection}<${element}>` : element;
}

/** Throws `invalid_schema_change` at the first client type or property the server lacks or types differently. */
export function checkClientSchema(
  classes: readonly RqlClass[],
  server: Readonly<Record<string, RqlClass>>,
): void {
  for (const cls of classes) {
    const known = server[cls.name];
    if (!known)
      throw invalid(
        `Client schema has object type "${cls.name}", which is not in the server's schema and development mode is off`,
      );
    for (const [name, property] of Object.entries(cls.properties)) {
      const counterpart = known.properties[name];
      if (!counterpart)
        throw invalid(
          `Client schema has property "${cls.name}.${name}", which is not in the server's schema`,
        );
      if (!sameShape(property, counterpart))
        throw invalid(
          `Property "${cls.name}.${name}" is ${describe(property)} on the client but ${describe(counterpart)} on the server`,
        );
    }
  }
}
