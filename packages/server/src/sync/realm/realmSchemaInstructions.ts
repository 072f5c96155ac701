/**
 * The app's synced schema as realm-core schema instructions (AddTable, AddColumn). A realm-core
 * client reset downloads into a fresh, empty file, which learns its tables from the server:
 * these go first in that session's first download.
 */
import type { PayloadType, RealmSchemaInstruction } from "@atoll/realm-wire";
import type { RqlClass, RqlProperty } from "@atoll/rql";

const PAYLOAD_TYPES: Readonly<Record<string, PayloadType>> = {
  bool: "Bool",
  int: "Int",
  float: "Float",
  double: "Double",
  decimal128: "Decimal",
  string: "String",
  data: "Binary",
  date: "Timestamp",
  objectId: "ObjectId",
  uuid: "UUID",
  mixed: "Null",
  object: "Link",
};

const COLLECTIONS = { list: "List", set: "Set", dictionary: "Dictionary" } as const;

export function realmSchemaInstructions(
  schema: Readonly<Record<string, RqlClass>>,
): RealmSchemaInstruction[] {
  const tables: RealmSchemaInstruction[] = [];
  const columns: RealmSchemaInstruction[] = [];
  for (const cls of Object.values(schema)) {
    const pk = cls.primaryKey === undefined ? undefined : cls.properties[cls.primaryKey];
    if (cls.embedded === true || pk === undefined) {
      tables.push({ type: "AddTable", table: cls.name, tableType: "Embedded" });
    } else {
      tables.push({
        type: "AddTable",
        table: cls.name,
        tableType: cls.asymmetric === true ? "TopLevelAsymmetric" : "TopLevel",
        pkField: pk.name,
        pkType: PAYLOAD_TYPES[pk.type] ?? "ObjectId",
        pkNullable: pk.optional,
      });
    }
    for (const property of Object.values(cls.properties)) {
      if (property.name === cls.primaryKey) continue;
      const column = addColumn(cls.name, property);
      if (column !== undefined) columns.push(column);
    }
  }
  return [...tables, ...columns];
}

function addColumn(table: string, property: RqlProperty): RealmSchemaInstruction | undefined {
  const valueType = PAYLOAD_TYPES[property.type];
  if (valueType === undefined) return undefined; // linking objects are computed on the device
  const single = property.collection === undefined;
  return {
    type: "AddColumn",
    table,
    field: property.name,
    valueType,
    // A single link and a mixed value are always nullable in realm-core.
    nullable: single && (valueType === "Link" || valueType === "Null") ? true : property.optional,
    collectionType: single ? "Single" : COLLECTIONS[property.collection!],
    ...(valueType === "Link" ? { linkTargetTable: property.objectType ?? "" } : {}),
    ...(property.collection === "dictionary" ? { keyType: "String" as const } : {}),
  };
}
