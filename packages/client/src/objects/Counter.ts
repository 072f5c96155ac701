/**
 * `Realm.Types.Counter`: an int property whose changes are increments. Under sync, increments
 * from several devices add up (AddInteger) where plain assignments would overwrite each other.
 */
import type { RealmContext } from "../core/RealmContext.js";
import { errors } from "../errors.js";
import type { ObjectRow, PropInfo } from "../schema/ClassInfo.js";

export class Counter {
  constructor(
    private readonly context: RealmContext,
    private readonly row: ObjectRow,
    private readonly prop: PropInfo,
  ) {}

  get value(): number {
    if (!this.row.alive) throw errors.invalidated(this.row.cls.name);
    return this.row.values[this.prop.key] as number;
  }

  increment(by = 1): void {
    this.context.writer().increment(this.row, this.prop, by);
  }

  decrement(by = 1): void {
    this.context.writer().increment(this.row, this.prop, -by);
  }

  /** Resets the value; under sync this overwrites concurrent increments. */
  set(value: number): void {
    this.context.writer().setCounter(this.row, this.prop, value);
  }

  valueOf(): number {
    return this.value;
  }

  /** A counter serialises as its number. */
  toJSON(): number {
    return this.value;
  }
}
