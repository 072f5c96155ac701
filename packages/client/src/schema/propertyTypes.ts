/**
 * `Realm.Types`: the TypeScript types a model class gives its properties, one per schema type
 * (`miles?: Realm.Types.Int`), and, for those that have one, the constructor of their values
 * (`new Realm.Types.ObjectId()`).
 */
import { Results } from "../collections/Results.js";

export { Decimal128, ObjectId, UUID } from "bson";
export { List } from "../collections/List.js";
export { RealmSet as Set } from "../collections/RealmSet.js";
export { Dictionary } from "../collections/publicDictionary.js";
export { Counter } from "../objects/Counter.js";

export type Bool = boolean;
export type String = string;
export type Int = number;
export type Float = number;
export type Double = number;
export type Mixed = unknown;

export type Date = globalThis.Date;
export const Date = globalThis.Date;

export type Data = ArrayBuffer;
export const Data = ArrayBuffer;

/**
 * The objects of type `T` whose `LinkingPropertyName` links to the object: a `linkingObjects`
 * property. The property name only documents the link.
 */
export type LinkingObjects<T, _LinkingPropertyName extends string = string> = Results<T>;
export const LinkingObjects = Results;
