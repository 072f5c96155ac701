export { AtollError } from "./AtollError.js";
export { AppError, AppErrorCode, APP_ERRORS, isAppErrorCode } from "./appErrors.js";
export type { AppErrorInfo } from "./appErrors.js";
export {
  SyncErrorAction,
  SyncErrorCode,
  SYNC_ERRORS,
  isSyncErrorCode,
} from "./syncErrors.js";
export type { SyncErrorInfo } from "./syncErrors.js";
export {
  INSTRUCTIONS_VERSION,
  INSTRUCTION_SHAPES,
  ChangesetFormatError,
  decodeChangeset,
  encodeChangeset,
  validateInstruction,
} from "./instructions.js";
export type {
  AddInteger,
  ArrayErase,
  ArrayInsert,
  ArrayMove,
  Clear,
  CollectionType,
  CreateObject,
  Erase,
  EraseObject,
  Instruction,
  InstructionType,
  InstructionValue,
  LinkValue,
  ObjectValue,
  Path,
  PathElement,
  PrimaryKey,
  SetErase,
  SetInsert,
  Update,
} from "./instructions.js";
