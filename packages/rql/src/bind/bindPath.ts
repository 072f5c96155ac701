import { RqlBindError } from "../errors.js";
import type { PathNode, PathStep } from "../parse/ast.js";
import { pathText } from "../parse/pathText.js";
import type { RqlProperty, RqlSchema } from "../schema.js";
import type { BoundPath, BoundStep, ValueType } from "./bound.js";

/** What a subquery variable stands for. */
export interface VariableBinding {
  type: ValueType;
  objectType: string | undefined;
}

export interface PathScope {
  schema: RqlSchema;
  className: string;
  variables: ReadonlyMap<string, VariableBinding>;
}

const NUMERIC: readonly ValueType[] = ["int", "float", "double", "decimal128", "mixed"];

/**
 * Resolves a key path against the schema. Tracks, step by step, what the path yields so far:
 * its type, whether it went through a collection (and where, for aggregates), and whether it
 * stands on a dictionary not yet opened.
 */
export function bindPath(node: PathNode, scope: PathScope): BoundPath {
  const state = new PathState(node, scope);
  const steps = node.steps;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as PathStep;
    if (
      step.kind === "aggregate" &&
      step.name !== "count" &&
      step.name !== "size" &&
      state.type === "object"
    ) {
      // Realm's `items.@sum.price`: the property after the aggregate is read from each element.
      const properties: string[] = [];
      while (steps[i + 1]?.kind === "property")
        properties.push((steps[++i] as { name: string }).name);
      for (const name of properties) state.property(name);
    }
    state.apply(step);
  }
  return state.finish();
}

class PathState {
  private readonly steps: BoundStep[] = [];
  /** indexes in `steps` where each collection expansion starts; aggregates fold the last one */
  private readonly collectionStarts: number[] = [];
  type: ValueType = "object";
  private objectType: string | undefined;
  private dictionary: { type: ValueType; objectType: string | undefined } | undefined;
  private terminal: string | undefined;
  /** set after `@links` alone, which only `.@count` may follow */
  private awaitingCount = false;

  constructor(
    private readonly node: PathNode,
    private readonly scope: PathScope,
  ) {
    if (node.variable === undefined) {
      this.objectType = scope.className;
      return;
    }
    const variable = scope.variables.get(node.variable);
    if (variable === undefined)
      throw new RqlBindError(`Unknown variable ${node.variable} in '${pathText(node)}'`);
    this.type = variable.type;
    this.objectType = variable.objectType;
  }

  apply(step: PathStep): void {
    if (this.terminal !== undefined) this.fail(`nothing may follow ${this.terminal}`);
    if (this.awaitingCount && !(step.kind === "aggregate" && step.name === "count"))
      this.fail("@links must be followed by .@count");
    switch (step.kind) {
      case "property":
        return this.dictionary !== undefined || this.type === "mixed"
          ? this.key(step.name)
          : this.property(step.name);
      case "key":
        return this.key(step.key);
      case "keys":
      case "values":
        return this.openDictionary(step.kind);
      case "type":
        this.closeDictionary();
        this.steps.push({ kind: "type" });
        this.type = "typeName";
        this.terminal = "@type";
        return;
      case "backlinks":
        return this.backlinks(step.className, step.property);
      case "allBacklinks":
        return this.allBacklinks();
      case "aggregate":
        return step.name === "count" || step.name === "size"
          ? this.count(step.name)
          : this.aggregate(step.name);
    }
  }

  property(name: string): void {
    if (this.type !== "object" || this.objectType === undefined)
      this.fail(`a ${this.type} has no property '${name}'`);
    const cls = this.scope.schema[this.objectType];
    if (cls === undefined) throw new RqlBindError(`Unknown class '${this.objectType}'`);
    const property = Object.prototype.hasOwnProperty.call(cls.properties, name)
      ? cls.properties[name]
      : undefined;
    if (property === undefined) {
      throw new RqlBindError(
        `'${this.objectType}' has no property '${name}' (in '${pathText(this.node)}')`,
      );
    }
    if (property.type === "linkingObjects") return this.linkingObjects(property);
    this.setType(property.type, property.objectType);
    if (property.collection === "dictionary") {
      this.steps.push({ kind: "property", name, expand: false });
      this.dictionary = { type: property.type, objectType: property.objectType };
      return;
    }
    const expand = property.collection === "list" || property.collection === "set";
    if (expand) this.collectionStarts.push(this.steps.length);
    this.steps.push({ kind: "property", name, expand, ...(property.boxed ? { unbox: true } : {}) });
  }

  private linkingObjects(property: RqlProperty): void {
    if (property.objectType === undefined || property.linkOriginProperty === undefined) {
      throw new RqlBindError(
        `The linkingObjects property '${property.name}' lacks objectType or linkOriginProperty`,
      );
    }
    this.collectionStarts.push(this.steps.length);
    this.steps.push({
      kind: "backlinks",
      sources: [{ fromClass: property.objectType, fromProperty: property.linkOriginProperty }],
    });
    this.setType("object", property.objectType);
  }

  private key(key: string): void {
    if (this.dictionary !== undefined) {
      this.setType(this.dictionary.type, this.dictionary.objectType);
      this.dictionary = undefined;
    } else if (this.type !== "mixed") {
      this.fail(`['${key}'] needs a dictionary or a mixed value`);
    }
    this.steps.push({ kind: "key", key });
  }

  private openDictionary(kind: "keys" | "values"): void {
    if (this.dictionary === undefined) this.fail(`@${kind} needs a dictionary`);
    this.collectionStarts.push(this.steps.length);
    this.steps.push({ kind });
    this.setType(
      kind === "keys" ? "string" : this.dictionary.type,
      kind === "keys" ? undefined : this.dictionary.objectType,
    );
    this.dictionary = undefined;
  }

  /** A dictionary used as a value stands for its values. */
  private closeDictionary(): void {
    if (this.dictionary !== undefined) this.openDictionary("values");
  }

  private backlinks(className: string, propertyName: string): void {
    if (this.type !== "object" || this.objectType === undefined)
      this.fail("@links needs an object");
    const property = this.scope.schema[className]?.properties[propertyName];
    if (property === undefined)
      throw new RqlBindError(`@links.${className}.${propertyName}: no such class or property`);
    if (property.type !== "object" || property.objectType !== this.objectType) {
      throw new RqlBindError(
        `@links.${className}.${propertyName}: that property does not link to '${this.objectType}'`,
      );
    }
    this.collectionStarts.push(this.steps.length);
    this.steps.push({
      kind: "backlinks",
      sources: [{ fromClass: className, fromProperty: propertyName }],
    });
    this.setType("object", className);
  }

  private allBacklinks(): void {
    if (this.type !== "object" || this.objectType === undefined)
      this.fail("@links needs an object");
    const sources: { fromClass: string; fromProperty: string }[] = [];
    for (const cls of Object.values(this.scope.schema)) {
      for (const property of Object.values(cls.properties)) {
        if (property.type === "object" && property.objectType === this.objectType)
          sources.push({ fromClass: cls.name, fromProperty: property.name });
      }
    }
    this.collectionStarts.push(this.steps.length);
    this.steps.push({ kind: "backlinks", sources });
    this.setType("object", undefined);
    this.awaitingCount = true;
  }

  private count(name: "count" | "size"): void {
    this.awaitingCount = false;
    this.closeDictionary();
    const start = this.collectionStarts.pop();
    if (start !== undefined) {
      this.fold("count", start);
    } else if (["string", "data", "mixed"].includes(this.type)) {
      this.steps.push({ kind: "length" });
    } else {
      this.fail(`@${name} needs a list, set, dictionary, string or binary`);
    }
    this.setType("int", undefined);
    this.terminal = `@${name}`;
  }

  private aggregate(name: "sum" | "avg" | "min" | "max"): void {
    this.closeDictionary();
    const start = this.collectionStarts.pop();
    if (start === undefined) this.fail(`@${name} needs a list, set or dictionary`);
    const ordered = name === "min" || name === "max";
    if (!NUMERIC.includes(this.type) && !(ordered && this.type === "date")) {
      this.fail(`@${name} needs numbers${ordered ? " or dates" : ""}, not ${this.type}`);
    }
    this.fold(name, start);
    if (name === "avg" && this.type === "int") this.setType("double", undefined);
    this.terminal = `@${name}`;
  }

  private fold(name: "count" | "sum" | "avg" | "min" | "max", start: number): void {
    const over = this.steps.splice(start);
    this.steps.push({ kind: "aggregate", name, over });
  }

  private setType(type: ValueType, objectType: string | undefined): void {
    this.type = type;
    this.objectType = type === "object" ? objectType : undefined;
  }

  private fail(problem: string): never {
    throw new RqlBindError(`Invalid key path '${pathText(this.node)}': ${problem}`);
  }

  finish(): BoundPath {
    if (this.awaitingCount) this.fail("@links must be followed by .@count");
    this.closeDictionary();
    if (this.steps.length === 0 && this.node.variable === undefined) this.fail("empty path");
    return {
      kind: "path",
      variable: this.node.variable,
      steps: this.steps,
      type: this.type,
      objectType: this.objectType,
      many: this.collectionStarts.length > 0,
      quantifier: this.node.quantifier,
      text: pathText(this.node),
    };
  }
}
