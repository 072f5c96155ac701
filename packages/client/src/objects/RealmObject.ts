/**
 * `Realm.Object`: the base class of every live object. Property accessors are defined on each
 * type's prototype (see accessors.ts); this class carries the methods Realm JS v12 offers.
 */
import { errors } from "../errors.js";
import type { RealmContext } from "../core/RealmContext.js";
import type { ObjectRow } from "../schema/ClassInfo.js";
import type { CanonicalObjectSchema, ObjectSchema } from "../schema/types.js";
import { CONTEXT, ROW } from "./symbols.js";
import type { ObjectChangeCallback, ObjectChangeSet } from "../listeners/ChangeNotifier.js";
import { toJSONValue } from "./toJSON.js";
import type { Results } from "../collections/Results.js";
import { backlinkResults } from "../collections/backlinks.js";

export type { ObjectChangeCallback, ObjectChangeSet };

interface RealmLike {
  create(
    type: string | (abstract new (...args: never[]) => RealmObject),
    values: unknown,
  ): RealmObject;
}

/**
 * `T` is the model class itself (`class Car extends Realm.Object<Car>`), which types listeners;
 * `RequiredProperties` names the properties `new Car(realm, values)` must be given.
 */
export class RealmObject<T = unknown, RequiredProperties extends keyof T = never> {
  declare [ROW]: ObjectRow;
  declare [CONTEXT]: RealmContext;
  static schema?: ObjectSchema;

  /** As in Realm JS v12, constructing a subclass with a realm creates the object in it. */
  constructor(
    realm: RealmLike,
    values: (Partial<T> & Pick<T, RequiredProperties>) | Record<string, unknown>,
  ) {
    return realm.create(new.target, values) as this;
  }

  private row(): ObjectRow {
    const row = this[ROW];
    if (!row.alive) throw errors.invalidated(row.cls.name);
    return row;
  }

  isValid(): boolean {
    return this[ROW].alive && !this[CONTEXT].isClosed;
  }

  objectSchema(): CanonicalObjectSchema {
    const { ctor: _ctor, ...schema } = this[ROW].cls.schema;
    return schema;
  }

  /** Objects of `objectType` whose `propertyName` links here. */
  linkingObjects<L = RealmObject>(
    objectType: string,
    propertyName: string,
  ): Results<L & RealmObject> {
    return backlinkResults(this[CONTEXT], this.row(), objectType, propertyName) as Results<
      L & RealmObject
    >;
  }

  linkingObjectsCount(): number {
    const row = this.row();
    let count = 0;
    for (const { cls, prop } of row.cls.incoming) {
      for (const origin of cls.rows.values()) {
        const value = origin.values[prop.key];
        if (value === row.key) count++;
        else if (Array.isArray(value)) count += value.filter((k) => k === row.key).length;
      }
    }
    return count;
  }

  keys(): string[] {
    return this.row().cls.props.map((p) => p.name);
  }

  entries(): [string, unknown][] {
    return this.keys().map((name) => [name, (this as unknown as Record<string, unknown>)[name]]);
  }

  toJSON(): Record<string, unknown> {
    return toJSONValue(this, new Map()) as Record<string, unknown>;
  }

  getPropertyType(propertyName: string): string {
    const prop = this.row().cls.byName.get(propertyName);
    if (!prop) throw errors.unknownProperty(this[ROW].cls.name, propertyName);
    const { type, objectType, optional } = prop.schema;
    if (type === "list" || type === "set" || type === "dictionary")
      return `${type}<${objectType ?? ""}>`;
    if (type === "object") return `<${objectType ?? ""}>`;
    return optional ? `${type}?` : type;
  }

  addListener(callback: ObjectChangeCallback<T>, keyPaths?: string | string[]): void {
    this.row();
    this[CONTEXT].notifier.addObjectListener(
      this,
      callback as ObjectChangeCallback<unknown>,
      keyPaths,
    );
  }

  removeListener(callback: ObjectChangeCallback<T>): void {
    this[CONTEXT].notifier.removeObjectListener(this, callback as ObjectChangeCallback<unknown>);
  }

  removeAllListeners(): void {
    this[CONTEXT].notifier.removeObjectListener(this);
  }
}
