/**
 * The error every failed App Services request becomes (Realm JS's `MongoDBRealmError`):
 * the HTTP status, the server's `error_code` (e.g. "InvalidPassword"), its message and its
 * log link. Failures found by the client (no answer, a body that is not JSON, a user that
 * is not logged in) get status 0 or the status seen and a client-side `errorCode`.
 */
import { AtollError } from "@atoll/protocol";

export class AppError extends AtollError<string> {
  readonly statusCode: number;
  readonly statusText: string;
  /** The server's `error_code`; same as `code`. */
  readonly errorCode: string;
  /** The server's `error` text (also the `message`). */
  readonly error: string;
  readonly link: string;
  readonly method: string;
  readonly url: string;

  constructor(init: {
    method?: string;
    url?: string;
    statusCode?: number;
    statusText?: string;
    errorCode: string;
    error: string;
    link?: string;
    cause?: unknown;
  }) {
    super(init.errorCode, init.error, init.cause === undefined ? {} : { cause: init.cause });
    this.statusCode = init.statusCode ?? 0;
    this.statusText = init.statusText ?? "";
    this.errorCode = init.errorCode;
    this.error = init.error;
    this.link = init.link ?? "";
    this.method = init.method ?? "";
    this.url = init.url ?? "";
  }

  /** True for the answer that means "this token is no longer good": refresh or log in again. */
  get isInvalidSession(): boolean {
    return this.statusCode === 401 && this.errorCode === "InvalidSession";
  }
}
