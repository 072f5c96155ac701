/**
 * Catalogue of the App Services client HTTP API error codes Atoll answers with.
 *
 * Each entry is the `error_code` string clients switch on (realm-web and realm-core map them
 * by name), the HTTP status it travels with, and a sentence for operators. Clients depend on
 * two things above all: every expired, revoked or unknown token is 401 + `InvalidSession`
 * (that is what makes them refresh), and the body is `{error, error_code, link?}`.
 */
import { AtollError } from "./AtollError.js";

export const AppErrorCode = {
  InvalidSession: "InvalidSession",
  AuthError: "AuthError",
  InvalidPassword: "InvalidPassword",
  UserDisabled: "UserDisabled",
  UserNotFound: "UserNotFound",
  UserAlreadyConfirmed: "UserAlreadyConfirmed",
  UserpassTokenInvalid: "UserpassTokenInvalid",
  AccountNameInUse: "AccountNameInUse",
  APIKeyAlreadyExists: "APIKeyAlreadyExists",
  APIKeyNotFound: "APIKeyNotFound",
  AuthProviderNotFound: "AuthProviderNotFound",
  AppNotFound: "AppNotFound",
  FunctionNotFound: "FunctionNotFound",
  ServiceNotFound: "ServiceNotFound",
  ServiceCommandNotFound: "ServiceCommandNotFound",
  BadRequest: "BadRequest",
  InvalidParameter: "InvalidParameter",
  MissingParameter: "MissingParameter",
  ArgumentsNotAllowed: "ArgumentsNotAllowed",
  PayloadTooLarge: "PayloadTooLarge",
  FunctionExecutionError: "FunctionExecutionError",
  FunctionSyntaxError: "FunctionSyntaxError",
  ExecutionTimeLimitExceeded: "ExecutionTimeLimitExceeded",
  MongoDBError: "MongoDBError",
  SchemaValidationFailedWrite: "SchemaValidationFailedWrite",
  ReadSizeLimitExceeded: "ReadSizeLimitExceeded",
  NoMatchingRuleFound: "NoMatchingRuleFound",
  DomainNotAllowed: "DomainNotAllowed",
  NotFound: "NotFound",
  MethodNotAllowed: "MethodNotAllowed",
  TooManyRequests: "TooManyRequests",
  InternalServerError: "InternalServerError",
  ServiceUnavailable: "ServiceUnavailable",
} as const;
export type AppErrorCode = (typeof AppErrorCode)[keyof typeof AppErrorCode];

export interface AppErrorInfo {
  readonly httpStatus: number;
  /** What happened, in words an operator reading the logs can act on. */
  readonly description: string;
}

export const APP_ERRORS: Readonly<Record<AppErrorCode, AppErrorInfo>> = {
  InvalidSession: {
    httpStatus: 401,
    description:
      "The access or refresh token is missing, expired, revoked or forged; the client should refresh or log in again.",
  },
  AuthError: {
    httpStatus: 401,
    description: "The credentials were rejected by the auth provider.",
  },
  InvalidPassword: {
    httpStatus: 401,
    description: "The email/password pair does not match a confirmed user.",
  },
  UserDisabled: {
    httpStatus: 401,
    description: "The user exists but has been disabled by an administrator.",
  },
  UserNotFound: { httpStatus: 404, description: "No user matches the given identity." },
  UserAlreadyConfirmed: {
    httpStatus: 400,
    description: "The email/password user was already confirmed.",
  },
  UserpassTokenInvalid: {
    httpStatus: 400,
    description: "The confirmation or reset token is unknown, used or expired.",
  },
  AccountNameInUse: {
    httpStatus: 409,
    description: "An email/password identity with that email already exists.",
  },
  APIKeyAlreadyExists: {
    httpStatus: 409,
    description: "The user already has an API key with that name.",
  },
  APIKeyNotFound: { httpStatus: 404, description: "No API key with that id belongs to the user." },
  AuthProviderNotFound: {
    httpStatus: 404,
    description: "The app has no enabled auth provider of that name.",
  },
  AppNotFound: { httpStatus: 404, description: "No app with that client app id is served here." },
  FunctionNotFound: {
    httpStatus: 404,
    description: "The function does not exist, or is private and was called by a client.",
  },
  ServiceNotFound: {
    httpStatus: 404,
    description: "The app has no service (data source) of that name.",
  },
  ServiceCommandNotFound: {
    httpStatus: 404,
    description: "The service does not offer that action.",
  },
  BadRequest: {
    httpStatus: 400,
    description: "The request is malformed (bad JSON/EJSON, wrong shape).",
  },
  InvalidParameter: { httpStatus: 400, description: "A parameter has the wrong type or value." },
  MissingParameter: { httpStatus: 400, description: "A required parameter is missing." },
  ArgumentsNotAllowed: {
    httpStatus: 400,
    description: "The call passed arguments where none are allowed.",
  },
  PayloadTooLarge: {
    httpStatus: 413,
    description: "The request body is larger than the server accepts.",
  },
  FunctionExecutionError: {
    httpStatus: 400,
    description: "The function threw, or failed inside the sandbox.",
  },
  FunctionSyntaxError: { httpStatus: 400, description: "The function source does not compile." },
  ExecutionTimeLimitExceeded: {
    httpStatus: 400,
    description: "The function ran longer than its time limit and was stopped.",
  },
  MongoDBError: {
    httpStatus: 400,
    description: "The data-access operation failed (bad filter, update or pipeline).",
  },
  SchemaValidationFailedWrite: {
    httpStatus: 400,
    description: "The write does not match the collection's schema.json.",
  },
  ReadSizeLimitExceeded: {
    httpStatus: 400,
    description: "The result is larger than the read limit.",
  },
  NoMatchingRuleFound: {
    httpStatus: 403,
    description: "No role applies to the user for this collection, or the role denies the action.",
  },
  DomainNotAllowed: {
    httpStatus: 403,
    description: "The request's origin is not in allowed_request_origins.",
  },
  NotFound: { httpStatus: 404, description: "No such route." },
  MethodNotAllowed: { httpStatus: 405, description: "The route does not accept that HTTP method." },
  TooManyRequests: { httpStatus: 429, description: "Too many concurrent requests for this app." },
  InternalServerError: {
    httpStatus: 500,
    description: "An unexpected server failure; the log has the details.",
  },
  ServiceUnavailable: {
    httpStatus: 503,
    description:
      "This server node is shutting down (draining) or cannot reach its storage; retry, through the load balancer, on another node.",
  },
};

/** An error that becomes an App Services HTTP error response `{error, error_code, link}`. */
export class AppError extends AtollError<AppErrorCode> {
  get httpStatus(): number {
    return APP_ERRORS[this.code].httpStatus;
  }
}

export function isAppErrorCode(value: unknown): value is AppErrorCode {
  return typeof value === "string" && Object.hasOwn(APP_ERRORS, value);
}
