/**
 * Instruction-set version 2 on the wire: one BSON document
 *
 *   { version: 2, names: [string, …], ops: Binary, values: [value, …] }
 *
 * Decoding BSON costs per element, and most per nested document or array, so the structure of
 * a changeset is not written as BSON at all: `ops` is a byte string of unsigned LEB128 varints
 * (op codes, name indices, list indices, sizes), and the only BSON elements left are the
 * strings in `names` (table names, path strings and short string values, each once) and the
 * instructions' other primary keys and values, in order, in `values`.
 *
 * `ops` is a sequence of instructions, each an op code followed by its operands (Op).
 * `SelectObject table pk` makes `names[table]` and the key `pk` the object the following
 * instructions apply to; it is written only when the object changes. A key or value is a
 * value slot in `ops`: `n + 1` for the string `names[n]` (strings repeat: decoding each once
 * is cheaper), or `0` for the next value in `values`. Which strings go to `names` is the
 * writer's choice (this one: up to 128 characters); a reader takes either. Each instruction that carries a value
 * (`Update`, `AddInteger`, `ArrayInsert`, `SetInsert`, `SetErase`) has a slot after its other
 * operands. A path is its length, the index in `names` of its first element (a property name),
 * then for each further element `i + 1` for the list index `i`, or `0 n` for the string
 * `names[n]` (a property name or a dictionary key).
 *
 * An Update whose path is one property and that has neither `isDefault` nor `priorSize` (what
 * every field set by a create is) is `Update path value`; any other Update is
 * `UpdateWithOptions path flags [priorSize] value`, flags: 1 = has isDefault, 2 = isDefault is
 * true, 4 = has priorSize.
 *
 * A decoder consumes `ops` and `values` exactly: anything left over, or missing, is an error.
 */

/** Op codes and what follows each in `ops`; `value` is a value slot. */
export const Op = {
  /** `table pk` (a name index, a value slot) */
  SelectObject: 0,
  CreateObject: 1,
  EraseObject: 2,
  /** `path value` (a path of one property) */
  Update: 3,
  /** `path flags [priorSize] value` */
  UpdateWithOptions: 4,
  /** `path value` (a Long) */
  AddInteger: 5,
  /** `path priorSize value` */
  ArrayInsert: 6,
  /** `path to priorSize` */
  ArrayMove: 7,
  /** `path priorSize` */
  ArrayErase: 8,
  /** `path collectionType` (an index in COLLECTION_TYPES) */
  Clear: 9,
  /** `path value` */
  SetInsert: 10,
  /** `path value` */
  SetErase: 11,
  /** `path` */
  Erase: 12,
} as const;

export const UpdateFlag = { HasIsDefault: 1, IsDefault: 2, HasPriorSize: 4 } as const;

/** Clear's collection type as a number: the index in this list. */
export const COLLECTION_TYPES = ["list", "set", "dictionary"] as const;
