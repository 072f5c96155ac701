/**
 * What every part of the writer shares: the transaction it writes through, messages naming
 * "Type.property", and emitting changeset instructions addressed from the top-level object.
 * The writer is split by concern into a chain: WriterBase <- CollectionWriter <- DeletingWriter
 * <- ObjectWriter; the hooks below are implemented further down the chain.
 */
import type { Database } from "../core/Database.js";
import { addressOf } from "../core/paths.js";
import type { ClassInfo, ObjectRow, PropInfo, Stored } from "../schema/ClassInfo.js";
import { ClientErrorCode, RealmError } from "../errors.js";
import { isStoredDictionary, isStoredLink, isStoredList } from "../values/nested.js";
import { toStoredValue } from "./mixedValue.js";
import { payloadOf } from "./payload.js";
import type { WriteTransaction } from "./WriteTransaction.js";

export const UpdateMode = {
  Never: "never",
  Modified: "modified",
  All: "all",
} as const;
export type UpdateMode = (typeof UpdateMode)[keyof typeof UpdateMode];

function holdsLink(stored: Stored): boolean {
  if (isStoredLink(stored)) return true;
  if (isStoredList(stored)) return stored.some(holdsLink);
  return isStoredDictionary(stored) && Object.values(stored).some(holdsLink);
}

export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date)
  );
}

/** Where a new embedded object goes: `attach` stores its key in the owner and emits the owner's instruction. */
export interface EmbeddedPlacement {
  readonly owner: ObjectRow;
  readonly attach: (key: number) => void;
}

export abstract class WriterBase {
  constructor(
    readonly db: Database,
    readonly txn: WriteTransaction,
  ) {}

  where(_cls: ClassInfo, prop: PropInfo): string {
    return prop.qualifiedName;
  }

  emitUpdate(
    row: ObjectRow,
    path: (string | number)[],
    value: ReturnType<typeof payloadOf>,
    isDefault = false,
  ): void {
    if (!this.txn.instructions) return;
    const address = addressOf(this.db, row);
    this.txn.emit({
      type: "Update",
      table: address.table,
      pk: address.pk,
      path: [...address.path, ...path],
      value,
      ...(isDefault ? { isDefault } : {}),
    });
  }

  protected element(row: ObjectRow, prop: PropInfo, value: unknown): Stored {
    if (prop.element === "object") return this.linkTarget(row.cls, prop, value);
    return toStoredValue(this.db, this.where(row.cls, prop), prop.element, prop.optional, value);
  }

  /**
   * The changeset payload of a stored value, or null when nothing is recorded (local realms).
   * Taken before the value is written: a synced realm refuses a link in a mixed value, at any
   * depth (the sync protocol carries none there yet), and must be left unchanged.
   */
  protected payload(prop: PropInfo, stored: Stored): ReturnType<typeof payloadOf> {
    if (!this.txn.instructions) return null;
    if (holdsLink(stored)) {
      throw new RealmError(
        ClientErrorCode.PropertyTypeMismatch,
        `Links in mixed values are not synchronized yet; '${prop.qualifiedName}' cannot hold one in a synced realm`,
      );
    }
    return payloadOf(this.db, prop, stored);
  }

  /**
   * After a mixed value was placed at `path` (from the object, as `emitUpdate` takes it): when
   * it is a list or a dictionary, the instructions that fill the new empty one, at any depth.
   */
  protected emitNested(
    row: ObjectRow,
    prop: PropInfo,
    path: (string | number)[],
    stored: Stored,
  ): void {
    if (!this.txn.instructions || prop.element !== "mixed") return;
    if (isStoredList(stored)) {
      stored.forEach((item, index) => {
        const at = [...path, index];
        this.emitPath("ArrayInsert", row, at, {
          value: payloadOf(this.db, prop, item),
          priorSize: index,
        });
        this.emitNested(row, prop, at, item);
      });
    } else if (isStoredDictionary(stored)) {
      for (const [key, item] of Object.entries(stored)) {
        const at = [...path, key];
        this.emitUpdate(row, at, payloadOf(this.db, prop, item));
        this.emitNested(row, prop, at, item);
      }
    }
  }

  protected emitPath(
    type:
      | "Update"
      | "ArrayInsert"
      | "ArrayErase"
      | "ArrayMove"
      | "Clear"
      | "SetInsert"
      | "SetErase"
      | "Erase",
    row: ObjectRow,
    path: (string | number)[],
    rest: Record<string, unknown>,
  ): void {
    if (!this.txn.instructions) return;
    const address = addressOf(this.db, row);
    this.txn.emit({
      type,
      table: address.table,
      pk: address.pk,
      path: [...address.path, ...path],
      ...rest,
    } as never);
  }

  /** The key of the object a link should point to, creating it from a plain object if needed. */
  abstract linkTarget(cls: ClassInfo, prop: PropInfo, value: unknown): number | null;
  abstract createEmbedded(
    cls: ClassInfo,
    values: unknown,
    owner: ObjectRow,
    attach: (key: number) => void,
  ): ObjectRow;
  abstract deleteEmbedded(key: number): void;
  protected abstract assignLink(row: ObjectRow, prop: PropInfo, value: unknown): void;
}
