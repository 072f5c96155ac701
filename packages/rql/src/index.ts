export {
  RqlError,
  RqlSyntaxError,
  RqlBindError,
  RqlUnsupportedError,
  RqlEvaluationError,
} from "./errors.js";
export type { RqlScalarType, RqlPropertyType, RqlProperty, RqlClass, RqlSchema } from "./schema.js";
export { RQL_SCALAR_TYPES } from "./schema.js";
export type * from "./parse/ast.js";
export type * from "./bind/bound.js";
export { parseQuery } from "./parse/parser.js";
export { bindQuery } from "./bind/binder.js";
export type { EvalContext } from "./evaluate/context.js";
export { evaluate } from "./evaluate/evaluator.js";
export { applyQuery } from "./evaluate/applyQuery.js";
export { describeQuery } from "./describe.js";
export { encodeDocument, decodeDocument } from "./documentEncoding.js";
export { compileToSql } from "./sql/compiler.js";
export type { SqlOptions } from "./sql/compiler.js";
