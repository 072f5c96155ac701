/**
 * Downloaded (or redone) instructions whose path goes into a list or dictionary held by a mixed
 * value: they change the stored nested array or object in place, and mark the property
 * modified first (its before-image and listeners' changes, as for a local write).
 */
import type { Instruction, InstructionValue } from "@atoll/protocol";
import type { PropInfo, Stored } from "../../schema/ClassInfo.js";
import type { WriteTransaction } from "../../transaction/WriteTransaction.js";
import { isStoredDictionary, isStoredList, valueAt } from "../../values/nested.js";
import type { NestedPath } from "../../values/nested.js";
import type { ApplyMode } from "./InstructionApplier.js";
import type { Target } from "./instructionPaths.js";
import { ValueMismatch, convertValue } from "./storedValue.js";

function storedOf(prop: PropInfo, value: InstructionValue): Stored {
  const converted = convertValue(prop, value);
  if (converted.kind !== "value")
    throw new ValueMismatch(`a link cannot be stored inside ${prop.qualifiedName}`);
  return converted.stored;
}

/** A list index; lenient mode clamps an insert past the end (a redo on a shorter list). */
function indexIn(list: Stored[], element: number, inserting: boolean, mode: ApplyMode): number {
  const limit = inserting ? list.length : list.length - 1;
  if (element <= limit) return element;
  if (mode === "lenient" && inserting) return list.length;
  throw new ValueMismatch(`index ${element} is out of range (size ${list.length})`);
}

function setEntry(dictionary: Record<string, Stored>, key: string, stored: Stored): void {
  Object.defineProperty(dictionary, key, {
    value: stored,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

/** The empty collection a Clear of `element` in `container` leaves, when it holds one of that kind. */
export function cleared(
  container: Record<string | number, Stored> | Stored[],
  element: string | number,
  kind: string,
): Stored {
  const current = (container as Record<string | number, Stored>)[element];
  if (kind === "list" && isStoredList(current)) return [];
  if (kind === "dictionary" && isStoredDictionary(current)) return {};
  throw new ValueMismatch(`no ${kind} to clear at ${JSON.stringify(element)}`);
}

export function applyInsideMixed(
  txn: WriteTransaction,
  target: Target & { readonly nested: NestedPath },
  instruction: Exclude<Instruction, { type: "CreateObject" | "EraseObject" }>,
  mode: ApplyMode,
): void {
  const { row, prop, element, nested } = target;
  const container = valueAt(row.values[prop.key], nested);
  const where = `${prop.qualifiedName}${nested.map((step) => `[${JSON.stringify(step)}]`).join("")}`;
  if (typeof element === "number") {
    if (!isStoredList(container)) throw new ValueMismatch(`${where} is not a list`);
    const list = container;
    switch (instruction.type) {
      case "Update": {
        const index = indexIn(list, element, false, mode);
        const stored = storedOf(prop, instruction.value);
        txn.modifiedProperty(row, prop.name);
        list[index] = stored;
        return;
      }
      case "ArrayInsert": {
        const index = indexIn(list, element, true, mode);
        const stored = storedOf(prop, instruction.value);
        txn.modifiedProperty(row, prop.name);
        list.splice(index, 0, stored);
        return;
      }
      case "ArrayErase": {
        const index = indexIn(list, element, false, mode);
        txn.modifiedProperty(row, prop.name);
        list.splice(index, 1);
        return;
      }
      case "Clear": {
        const index = indexIn(list, element, false, mode);
        const empty = cleared(list, index, instruction.collectionType);
        txn.modifiedProperty(row, prop.name);
        list[index] = empty;
        return;
      }
      case "ArrayMove": {
        const from = indexIn(list, element, false, mode);
        const to = indexIn(list, instruction.to, false, mode);
        txn.modifiedProperty(row, prop.name);
        const [item] = list.splice(from, 1);
        list.splice(to, 0, item);
        return;
      }
      default:
        throw new ValueMismatch(`${instruction.type} cannot change an element of ${where}`);
    }
  }
  if (!isStoredDictionary(container) || element === undefined)
    throw new ValueMismatch(`${where} is not a dictionary`);
  switch (instruction.type) {
    case "Update": {
      const stored = storedOf(prop, instruction.value);
      txn.modifiedProperty(row, prop.name);
      setEntry(container, element, stored);
      return;
    }
    case "Clear": {
      const empty = cleared(container, element, instruction.collectionType);
      txn.modifiedProperty(row, prop.name);
      setEntry(container, element, empty);
      return;
    }
    case "Erase":
      if (!Object.hasOwn(container, element)) return;
      txn.modifiedProperty(row, prop.name);
      delete container[element];
      return;
    default:
      throw new ValueMismatch(`${instruction.type} cannot change a value of ${where}`);
  }
}
