/**
 * What an instruction's path names in the synced model: a property of the object (or of an
 * embedded object on the way), one element of a list, or one value of a dictionary. Below a
 * mixed value a path goes on into the list (an index) or dictionary (a key) the value may
 * hold, to any depth the limits allow; what the value holds is the merge's business. The walk
 * refuses a path the model does not have, a name that cannot be a field (empty, starting with
 * `$`, holding `.`, too long) and the primary key (which never changes).
 */
import type { Path, PathElement } from "@atoll/protocol";
import type { RqlClass, RqlProperty, RqlSchema } from "@atoll/rql";
import type { SyncLimits } from "./syncLimits.js";
import { UploadRefusal } from "./UploadRefusal.js";

export type InstructionTarget =
  /** A whole property (a scalar, a link, an embedded object or a collection). */
  | { readonly kind: "property"; readonly property: RqlProperty }
  /** One element of a list or value of a dictionary, typed as `property`'s elements. */
  | {
      readonly kind: "element";
      readonly of: "list" | "dictionary";
      readonly property: RqlProperty;
    }
  /** A property the model lacks, which development mode lets devices add. */
  | { readonly kind: "unknown" };

export interface TargetContext {
  readonly schema: RqlSchema;
  readonly developmentMode: boolean;
  readonly limits: SyncLimits;
}

export function checkName(name: string, limits: SyncLimits): void {
  if (name === "") throw UploadRefusal.schema("a path holds an empty name");
  if (name.startsWith("$")) throw UploadRefusal.schema(`name "${clip(name)}" starts with '$'`);
  if (name.includes(".")) throw UploadRefusal.schema(`name "${clip(name)}" contains '.'`);
  if (name.length > limits.maxNameLength)
    throw UploadRefusal.limit(
      `a name of ${name.length} characters is longer than the ${limits.maxNameLength} allowed`,
    );
}

/** A name as far as it is worth quoting in an error. */
export function clip(name: string): string {
  return name.length > 64 ? `${name.slice(0, 64)}…` : name;
}

export function targetOf(cls: RqlClass, path: Path, context: TargetContext): InstructionTarget {
  if (path.length > context.limits.maxPathDepth)
    throw UploadRefusal.limit(
      `a path of ${path.length} elements is deeper than the ${context.limits.maxPathDepth} allowed`,
    );
  for (const element of path) if (typeof element === "string") checkName(element, context.limits);
  const first = path[0] as string;
  if (first === (cls.primaryKey ?? "_id"))
    throw UploadRefusal.schema(`the primary key "${cls.name}.${first}" cannot be changed`);
  let target = propertyOf(cls, first, context);
  let where = `${cls.name}.${first}`;
  for (let i = 1; i < path.length && target.kind !== "unknown"; i++) {
    const element = path[i]!;
    target = step(target, element, where, context);
    where += typeof element === "number" ? `[${element}]` : `.${element}`;
  }
  return target;
}

function propertyOf(cls: RqlClass, name: string, context: TargetContext): InstructionTarget {
  const property = Object.hasOwn(cls.properties, name) ? cls.properties[name] : undefined;
  if (property === undefined || property.type === "linkingObjects") {
    if (context.developmentMode && !cls.embedded) return { kind: "unknown" };
    throw UploadRefusal.schema(`"${cls.name}" has no property "${clip(name)}"`);
  }
  return { kind: "property", property };
}

function step(
  target: InstructionTarget & { kind: "property" | "element" },
  element: PathElement,
  where: string,
  context: TargetContext,
): InstructionTarget {
  const { property } = target;
  const collection = target.kind === "property" ? property.collection : undefined;
  if (property.type === "mixed" && collection === undefined)
    return { kind: "element", of: typeof element === "number" ? "list" : "dictionary", property };
  if (collection === "list") {
    if (typeof element !== "number") throw UploadRefusal.schema(`"${where}" is a list: a key`);
    return { kind: "element", of: "list", property };
  }
  if (collection === "dictionary") {
    if (typeof element !== "string")
      throw UploadRefusal.schema(`"${where}" is a dictionary: an index`);
    return { kind: "element", of: "dictionary", property };
  }
  if (collection === "set") throw UploadRefusal.schema(`"${where}" is a set: no path into it`);
  const embedded = embeddedClass(property, context.schema);
  if (embedded === undefined)
    throw UploadRefusal.schema(
      `"${where}" is ${describeProperty(property, false)}: no path into it`,
    );
  if (typeof element !== "string")
    throw UploadRefusal.schema(`"${where}" is an embedded object: an index`);
  return propertyOf(embedded, element, context);
}

export function embeddedClass(property: RqlProperty, schema: RqlSchema): RqlClass | undefined {
  if (property.type !== "object" || property.objectType === undefined) return undefined;
  const cls = schema[property.objectType];
  return cls?.embedded === true ? cls : undefined;
}

/** "a string", "a list of int", "an element of a list of Car" … for error messages. */
export function describeProperty(property: RqlProperty, element: boolean): string {
  const type = property.type === "object" ? (property.objectType ?? "object") : property.type;
  if (property.collection === undefined || element) return `a ${type}`;
  return `a ${property.collection} of ${type}`;
}
