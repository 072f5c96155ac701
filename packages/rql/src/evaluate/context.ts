/** What `evaluate` may need beyond the object itself. */
export interface EvalContext {
  /** objects of `fromClass` whose `fromProperty` links to `target` (for @links and linkingObjects) */
  backlinks?(target: object, fromClass: string, fromProperty: string): Iterable<object>;
}
