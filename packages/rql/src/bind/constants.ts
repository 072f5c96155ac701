import { Binary, Decimal128, ObjectId, UUID } from "bson";
import { RqlBindError } from "../errors.js";
import type { LiteralValue } from "../parse/ast.js";
import { kindOf } from "../evaluate/values.js";
import type { BoundConstant, BoundList, ValueType } from "./bound.js";

/**
 * Turns a literal into the runtime value `evaluate` compares with. Numbers are read in the light
 * of what they are compared with (`price == 1.10` against a decimal128 keeps every digit).
 */
export function literalConstant(literal: LiteralValue, target: ValueType): BoundConstant {
  switch (literal.type) {
    case "string":
      if (target === "data")
        return { kind: "constant", value: new TextEncoder().encode(literal.value), type: "data" };
      return { kind: "constant", value: literal.value, type: "string" };
    case "number":
      return numberConstant(literal.text, target);
    case "bool":
      return { kind: "constant", value: literal.value, type: "bool" };
    case "null":
      return { kind: "constant", value: null, type: "null" };
    case "timestamp":
      return { kind: "constant", value: new Date(literal.millis), type: "date" };
    case "objectId":
      return { kind: "constant", value: new ObjectId(literal.hex), type: "objectId" };
    case "uuid":
      return { kind: "constant", value: new UUID(literal.text), type: "uuid" };
    case "binary":
      return {
        kind: "constant",
        value: new Binary(Buffer.from(literal.base64, "base64")),
        type: "data",
      };
  }
}

function numberConstant(text: string, target: ValueType): BoundConstant {
  if (target === "decimal128" && !/^-?0x/i.test(text)) {
    return { kind: "constant", value: Decimal128.fromString(text), type: "decimal128" };
  }
  const hex = /^(-?)0x([0-9a-f]+)$/i.exec(text);
  const value = hex ? (hex[1] === "-" ? -1 : 1) * parseInt(hex[2] as string, 16) : Number(text);
  return { kind: "constant", value, type: Number.isInteger(value) ? "int" : "double" };
}

/** An argument (`$0`) as a constant, or as a list when the caller passed an array. */
export function argumentConstant(value: unknown, index: number): BoundConstant | BoundList {
  if (Array.isArray(value)) {
    const items = value.map((item) => {
      const bound = argumentConstant(item, index);
      if (bound.kind === "list")
        throw new RqlBindError(`Argument $${index} is a nested list, which RQL cannot compare`);
      return bound;
    });
    return { kind: "list", items, quantifier: undefined };
  }
  const type = runtimeType(value);
  if (type === undefined)
    throw new RqlBindError(
      `Argument $${index} has a type RQL cannot compare (${describeRuntime(value)})`,
    );
  return { kind: "constant", value: value === undefined ? null : value, type };
}

function runtimeType(value: unknown): ValueType | undefined {
  switch (kindOf(value)) {
    case "null":
      return "null";
    case "bool":
      return "bool";
    case "number":
      return typeof value === "number" && !Number.isInteger(value) ? "double" : "int";
    case "decimal":
      return "decimal128";
    case "string":
      return "string";
    case "binary":
      return "data";
    case "date":
      return Number.isNaN((value as Date).getTime()) ? undefined : "date";
    case "objectId":
      return "objectId";
    case "uuid":
      return "uuid";
    case "object":
      return typeof value === "object" ? "object" : undefined;
    default:
      return undefined;
  }
}

function describeRuntime(value: unknown): string {
  if (typeof value !== "object" || value === null) return typeof value;
  return value.constructor?.name ?? "object";
}
