/**
 * A realm-core client's schema arrives as AddTable and AddColumn instructions in its uploads
 * (the whole schema in its first one). They become object schemas in the form Atoll clients
 * send on bind, so that one check (or development mode's additions) serves both.
 */
import { SyncErrorCode, SyncProtocolError } from "@atoll/protocol";
import type { PayloadType, RealmSchemaInstruction } from "@atoll/realm-wire";

const SCALAR_NAMES: Partial<Record<PayloadType, string>> = {
  Null: "mixed",
  Int: "int",
  Bool: "bool",
  String: "string",
  Binary: "data",
  Timestamp: "date",
  Float: "float",
  Double: "double",
  Decimal: "decimal128",
  ObjectId: "objectId",
  UUID: "uuid",
};

const COLLECTION_NAMES = { List: "list", Set: "set", Dictionary: "dictionary" } as const;

interface ObjectSchema {
  name: string;
  primaryKey?: string;
  embedded?: boolean;
  asymmetric?: boolean;
  properties: Record<string, Record<string, unknown>>;
}

export function clientSchemaOf(
  instructions: readonly RealmSchemaInstruction[],
): Record<string, unknown>[] {
  const classes = new Map<string, ObjectSchema>();
  const classOf = (name: string): ObjectSchema => {
    let found = classes.get(name);
    if (found === undefined) {
      found = { name, properties: {} };
      classes.set(name, found);
    }
    return found;
  };
  for (const instruction of instructions) {
    switch (instruction.type) {
      case "AddTable": {
        const cls = classOf(instruction.table);
        if (instruction.tableType === "Embedded") {
          cls.embedded = true;
          break;
        }
        if (instruction.tableType === "TopLevelAsymmetric") cls.asymmetric = true;
        cls.primaryKey = instruction.pkField;
        cls.properties[instruction.pkField] = {
          type: scalarName(instruction.pkType, instruction.table, instruction.pkField),
          optional: instruction.pkNullable,
        };
        break;
      }
      case "AddColumn": {
        const element =
          instruction.valueType === "Link"
            ? (instruction.linkTargetTable ?? "")
            : scalarName(instruction.valueType, instruction.table, instruction.field);
        const property: Record<string, unknown> =
          instruction.collectionType === "Single"
            ? instruction.valueType === "Link"
              ? { type: "object", objectType: element, optional: true }
              : { type: element, optional: instruction.nullable }
            : {
                type: COLLECTION_NAMES[instruction.collectionType],
                objectType: element,
                optional: instruction.nullable,
              };
        classOf(instruction.table).properties[instruction.field] = property;
        break;
      }
      case "EraseTable":
      case "EraseColumn":
        throw new SyncProtocolError(
          SyncErrorCode.InvalidSchemaChange,
          `${instruction.type} of "${instruction.table}" is a destructive schema change, which sync does not allow`,
        );
    }
  }
  return [...classes.values()].map((cls) => ({ ...cls }));
}

function scalarName(type: PayloadType, table: string, field: string): string {
  const name = SCALAR_NAMES[type];
  if (name === undefined)
    throw new SyncProtocolError(
      SyncErrorCode.InvalidSchemaChange,
      `Property "${table}.${field}" has a type (${type}) a property cannot have`,
    );
  return name;
}
