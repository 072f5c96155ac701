/**
 * Whether an instruction value (or primary key) may be stored in a property of the synced
 * model: the BSON class its type maps to, a link to an object of the property's table by a
 * key of that table's primary key type, an embedded object of the property's embedded type.
 * Class checks compare prototypes, as the changeset decoder creates exactly these classes.
 */
import { nestedCollectionOf, type InstructionValue, type PrimaryKey } from "@atoll/protocol";
import type { RqlClass, RqlProperty, RqlSchema } from "@atoll/rql";
import { Binary, Decimal128, Long, ObjectId, UUID } from "bson";

const hasPrototype = (value: unknown, prototype: object): boolean =>
  typeof value === "object" && value !== null && Object.getPrototypeOf(value) === prototype;

function isLink(value: InstructionValue): value is { $link: { table: string; pk: PrimaryKey } } {
  return typeof value === "object" && value !== null && "$link" in value;
}

function isEmbeddedObject(value: InstructionValue): boolean {
  return typeof value === "object" && value !== null && "$object" in value;
}

function fitsScalar(value: InstructionValue, type: RqlProperty["type"]): boolean {
  switch (type) {
    case "bool":
      return typeof value === "boolean";
    case "int":
      return hasPrototype(value, Long.prototype);
    case "double":
    case "float":
      return typeof value === "number";
    case "decimal128":
      return hasPrototype(value, Decimal128.prototype);
    case "string":
      return typeof value === "string";
    case "data":
      return hasPrototype(value, Binary.prototype);
    case "date":
      return hasPrototype(value, Date.prototype);
    case "objectId":
      return hasPrototype(value, ObjectId.prototype);
    case "uuid":
      return hasPrototype(value, UUID.prototype);
    default:
      return false;
  }
}

/** The primary key property of a top-level class. */
export function primaryKeyProperty(cls: RqlClass): RqlProperty | undefined {
  return cls.properties[cls.primaryKey ?? "_id"];
}

/** Whether `pk` can be the primary key of an object of `cls`. */
export function fitsPrimaryKey(pk: PrimaryKey, cls: RqlClass): boolean {
  const property = primaryKeyProperty(cls);
  if (property === undefined) return false;
  return pk === null ? property.optional : fitsScalar(pk, property.type);
}

/**
 * Whether `value` may be stored where `property`'s values (its elements, when `element`) go.
 * `tables`: the top-level synced types a link may point to.
 */
export function valueFits(
  value: InstructionValue,
  property: RqlProperty,
  element: boolean,
  schema: RqlSchema,
  tables: ReadonlySet<string>,
): boolean {
  if (value === null) return nullable(property, element, schema);
  if (nestedCollectionOf(value) !== undefined)
    return property.type === "mixed" && (!element || property.collection !== "set");
  if (property.type === "mixed") {
    if (isEmbeddedObject(value)) return false;
    return !isLink(value) || linkFits(value.$link, undefined, schema, tables);
  }
  if (property.type === "object") {
    const target = property.objectType === undefined ? undefined : schema[property.objectType];
    if (target === undefined) return false;
    if (target.embedded === true) return isEmbeddedObject(value);
    return isLink(value) && linkFits(value.$link, target.name, schema, tables);
  }
  return fitsScalar(value, property.type);
}

function nullable(property: RqlProperty, element: boolean, schema: RqlSchema): boolean {
  if (property.type === "mixed") return true;
  if (property.type !== "object") return property.optional;
  // Lists and sets of objects hold no nulls; a single link, an embedded object and a
  // dictionary value may be null.
  if (property.objectType === undefined || schema[property.objectType] === undefined) return false;
  return !element || property.collection === "dictionary";
}

function linkFits(
  link: { table: string; pk: PrimaryKey },
  table: string | undefined,
  schema: RqlSchema,
  tables: ReadonlySet<string>,
): boolean {
  if (table !== undefined && link.table !== table) return false;
  const target = tables.has(link.table) ? schema[link.table] : undefined;
  return target !== undefined && fitsPrimaryKey(link.pk, target);
}
