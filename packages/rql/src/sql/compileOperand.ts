import type { BoundExpression, BoundStep, ValueType } from "../bind/bound.js";
import { RqlUnsupportedError } from "../errors.js";
import type { RqlProperty, RqlSchema } from "../schema.js";
import { child } from "./dialect.js";
import type { JsonSource } from "./dialect.js";

/**
 * The left side of a comparison as the SQL compiler sees it: a value at a place in the document,
 * the elements of an array there, or a number computed from it (@count, @size).
 */
export type SqlOperand =
  | { kind: "value"; source: JsonSource; type: ValueType }
  | { kind: "elements"; source: JsonSource; type: ValueType }
  | { kind: "arrayLength"; source: JsonSource }
  | { kind: "byteLength"; source: JsonSource };

/**
 * Maps a bound path onto the stored document. Only paths that stay inside one document compile:
 * top-level fields, fields of embedded objects, lists and sets of scalars, and @count/@size on them.
 */
export function compileOperand(
  expression: BoundExpression,
  schema: RqlSchema,
  className: string,
  documentColumn: string,
): SqlOperand {
  if (expression.kind !== "path" || expression.variable !== undefined) {
    throw new RqlUnsupportedError(
      "SQL compilation needs a key path on the left of each comparison",
    );
  }
  const root: JsonSource = { document: documentColumn, element: undefined, keys: [] };
  const walk = new DocumentWalk(schema, className, expression.text);
  const steps = expression.steps;
  const last = steps[steps.length - 1];
  if (last?.kind === "aggregate" && last.name === "count") {
    const place = walk.through(steps.slice(0, -1), root);
    const array = walk.array(last.over, place);
    return { kind: "arrayLength", source: array.source };
  }
  if (last?.kind === "length") {
    const place = walk.through(steps.slice(0, -1), root);
    if (place.type !== "string") throw walk.unsupported("@size is compiled for strings only");
    return { kind: "byteLength", source: place.source };
  }
  const lastProperty = last?.kind === "property" && last.expand ? last : undefined;
  if (lastProperty !== undefined) {
    const place = walk.through(steps.slice(0, -1), root);
    const array = walk.array([lastProperty], place);
    return { kind: "elements", source: array.source, type: array.type };
  }
  const place = walk.through(steps, root);
  return { kind: "value", source: place.source, type: place.type };
}

class DocumentWalk {
  private objectType: string;

  constructor(
    private readonly schema: RqlSchema,
    className: string,
    private readonly text: string,
  ) {
    this.objectType = className;
  }

  /** Follows single-valued properties: embedded objects are nested in the document; links are not. */
  through(steps: readonly BoundStep[], start: JsonSource): { source: JsonSource; type: ValueType } {
    let source = start;
    let type: ValueType = "object";
    for (const step of steps) {
      if (step.kind !== "property" || step.expand)
        throw this.unsupported(
          `${step.kind === "property" ? "a collection" : `@${step.kind}`} inside the path`,
        );
      if (type !== "object") throw this.unsupported("a property of a scalar");
      const property = this.property(step.name);
      if (property.collection !== undefined) throw this.unsupported("dictionaries");
      source = child(source, step.name);
      type = property.type;
      if (type === "object") this.enterEmbedded(property.objectType);
    }
    return { source, type };
  }

  /** A list or set of scalars stored as a JSON array. */
  array(
    steps: readonly BoundStep[],
    place: { source: JsonSource; type: ValueType },
  ): { source: JsonSource; type: ValueType } {
    const step = steps[0];
    if (
      steps.length !== 1 ||
      step?.kind !== "property" ||
      !step.expand ||
      place.type !== "object"
    ) {
      throw this.unsupported("this collection shape");
    }
    const property = this.property(step.name);
    if (property.type === "object" || property.type === "mixed")
      throw this.unsupported(`lists of ${property.type}`);
    return { source: child(place.source, step.name), type: property.type };
  }

  private property(name: string): RqlProperty & { type: Exclude<ValueType, "null" | "typeName"> } {
    const property = this.schema[this.objectType]?.properties[name];
    if (property === undefined) throw this.unsupported(`unknown property ${name}`);
    if (property.type === "linkingObjects") throw this.unsupported("linkingObjects");
    if (/["\\]/.test(name)) throw this.unsupported("property names with quotes or backslashes");
    return property as RqlProperty & { type: Exclude<ValueType, "null" | "typeName"> };
  }

  private enterEmbedded(objectType: string | undefined): void {
    const target = objectType === undefined ? undefined : this.schema[objectType];
    if (target?.embedded !== true)
      throw this.unsupported("links to other objects (only embedded objects are stored inline)");
    this.objectType = target.name;
  }

  unsupported(what: string): RqlUnsupportedError {
    return new RqlUnsupportedError(
      `Cannot compile '${this.text}' to SQL: ${what} is not supported`,
    );
  }
}
