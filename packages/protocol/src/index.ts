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
