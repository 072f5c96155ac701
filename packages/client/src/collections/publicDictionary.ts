/**
 * `Realm.Dictionary<T>` as apps see it: the live dictionary class, whose entries also read and
 * write as properties (`car.specs.doors`), so its type has a string index signature, as in
 * Realm JS. Kept apart from the class so the class's own members need not fit that signature.
 */
import { Dictionary as LiveDictionary } from "./Dictionary.js";

export const Dictionary = LiveDictionary;
export type Dictionary<T = unknown> = LiveDictionary<T> & { [key: string]: T };
