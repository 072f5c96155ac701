/**
 * The check every uploaded changeset passes right after decoding, before the rules judge it
 * and before anything is stored: each instruction must fit the app's synced schema and the
 * changeset must stay within the operator's limits. A changeset that fails is refused whole
 * (`bad_changeset` or `limits_exceeded`, both ending the connection): a device with the
 * app's schema never produces one, so nothing of it is worth keeping, and nothing of it may
 * reach storage or another device (a value another device's schema cannot hold would make
 * every download of that object undecodable there).
 *
 * Per instruction: the table is a top-level synced type; the primary key has the type of the
 * table's primary key; the path exists in the model (development mode lets devices write
 * properties of their own on top-level objects, as it lets them add types); collection
 * instructions name a collection of their kind; values fit the property's type and
 * optionality (links to the right table by a key of its type, embedded objects where an
 * embedded type is expected).
 */
import type { Instruction, InstructionValue } from "@atoll/protocol";
import type { RqlProperty } from "@atoll/rql";
import { objectKey } from "../merge/integrateUpload.js";
import type { SyncModel } from "../syncSchema.js";
import {
  clip,
  describeProperty,
  targetOf,
  type InstructionTarget,
  type TargetContext,
} from "./instructionTarget.js";
import type { SyncLimits } from "./syncLimits.js";
import { UploadRefusal } from "./UploadRefusal.js";
import { fitsPrimaryKey, valueFits } from "./valueFits.js";

export interface UploadSchema {
  readonly model: SyncModel;
  readonly developmentMode: boolean;
  readonly limits: SyncLimits;
}

/** Throws the protocol error for the first instruction that breaks the schema or a limit. */
export function validateUpload(
  instructions: readonly Instruction[],
  upload: UploadSchema,
  clientVersion: number,
): void {
  const { limits } = upload;
  if (instructions.length > limits.maxChangesetInstructions)
    throw UploadRefusal.limit(
      `${instructions.length} instructions, more than the ${limits.maxChangesetInstructions} allowed in one changeset`,
    ).toProtocolError(clientVersion);
  const check = new InstructionCheck(upload);
  const perObject = new Map<string, number>();
  for (let i = 0; i < instructions.length; i++) {
    const instruction = instructions[i]!;
    try {
      check.instruction(instruction);
      const key = objectKey(instruction.table, instruction.pk);
      const count = (perObject.get(key) ?? 0) + 1;
      if (count > limits.maxObjectInstructions)
        throw UploadRefusal.limit(
          `more than the ${limits.maxObjectInstructions} instructions allowed on one object in one changeset`,
        );
      perObject.set(key, count);
    } catch (error) {
      if (!(error instanceof UploadRefusal)) throw error;
      throw error.toProtocolError(clientVersion, `instruction ${i} (${describe(instruction)}): `);
    }
  }
}

function describe(instruction: Instruction): string {
  return `${instruction.type} on ${clip(instruction.table)} ${clip(String(instruction.pk))}`;
}

class InstructionCheck {
  private readonly context: TargetContext;
  private readonly tables: ReadonlySet<string>;

  constructor(private readonly upload: UploadSchema) {
    this.context = {
      schema: upload.model.schema,
      developmentMode: upload.developmentMode,
      limits: upload.limits,
    };
    this.tables = new Set(upload.model.tables.keys());
  }

  instruction(instruction: Instruction): void {
    const cls = this.tables.has(instruction.table)
      ? this.upload.model.schema[instruction.table]
      : undefined;
    if (cls === undefined) throw UploadRefusal.schema("the table is not a synced type");
    if (!fitsPrimaryKey(instruction.pk, cls))
      throw UploadRefusal.schema(`the primary key is not of the type of "${cls.name}"'s`);
    if (instruction.type === "CreateObject" || instruction.type === "EraseObject") return;
    const target = targetOf(cls, instruction.path, this.context);
    if (target.kind === "unknown") return;
    switch (instruction.type) {
      case "Update":
        return this.update(target, instruction.value);
      case "AddInteger":
        return this.addInteger(target);
      case "ArrayInsert":
        this.listElement(target, "insert into");
        return this.value(target, instruction.value);
      case "ArrayMove":
        return this.listElement(target, "move in");
      case "ArrayErase":
        return this.listElement(target, "erase from");
      case "Clear":
        if (target.kind === "property" && target.property.collection === instruction.collectionType)
          return;
        // A list or dictionary held by a mixed value (realm-core clears one in place).
        if (isMixedValue(target) && instruction.collectionType !== "set") return;
        throw this.wrongKind(target, `cannot be cleared as a ${instruction.collectionType}`);
      case "SetInsert":
      case "SetErase":
        if (target.kind !== "property" || target.property.collection !== "set")
          throw this.wrongKind(target, "is not a set");
        return this.value(
          { kind: "element", of: "list", property: target.property },
          instruction.value,
        );
      case "Erase":
        if (target.kind !== "element" || target.of !== "dictionary")
          throw this.wrongKind(target, "is not a dictionary value");
        return;
    }
  }

  private update(
    target: InstructionTarget & { kind: "property" | "element" },
    value: InstructionValue,
  ): void {
    if (target.kind === "property" && target.property.collection !== undefined)
      throw this.wrongKind(target, "is a collection: it is changed element by element");
    this.value(target, value);
  }

  private addInteger(target: InstructionTarget & { kind: "property" | "element" }): void {
    const { property } = target;
    const whole = target.kind === "property" && property.collection !== undefined;
    if (whole || (property.type !== "int" && property.type !== "mixed"))
      throw this.wrongKind(target, "is not an integer");
  }

  private listElement(
    target: InstructionTarget & { kind: "property" | "element" },
    verb: string,
  ): void {
    if (target.kind !== "element" || target.of !== "list")
      throw this.wrongKind(target, `is not a list to ${verb}`);
  }

  private value(
    target: InstructionTarget & { kind: "property" | "element" },
    value: InstructionValue,
  ): void {
    const element = target.kind === "element";
    if (!valueFits(value, target.property, element, this.context.schema, this.tables))
      throw UploadRefusal.schema(
        `${describeValue(value)} does not fit "${target.property.name}", ${describeTarget(target)}`,
      );
  }

  private wrongKind(
    target: InstructionTarget & { kind: "property" | "element" },
    why: string,
  ): UploadRefusal {
    return UploadRefusal.schema(`"${target.property.name}" (${describeTarget(target)}) ${why}`);
  }
}

/** A mixed property, or an element or value inside one (or inside a collection of mixed). */
function isMixedValue(target: InstructionTarget & { kind: "property" | "element" }): boolean {
  const { property } = target;
  if (property.type !== "mixed") return false;
  return target.kind === "element"
    ? property.collection !== "set"
    : property.collection === undefined;
}

function describeTarget(target: { kind: "property" | "element"; property: RqlProperty }): string {
  const type = describeProperty(target.property, false);
  return target.kind === "element" ? `an element of ${type}` : type;
}

function describeValue(value: InstructionValue): string {
  if (value === null) return "null";
  if (typeof value !== "object") return `a ${typeof value}`;
  if ("$link" in value) return `a link to ${value.$link.table}`;
  if ("$object" in value) return "an embedded object";
  if ("$list" in value) return "a list";
  if ("$dictionary" in value) return "a dictionary";
  return `a ${value.constructor.name}`;
}
