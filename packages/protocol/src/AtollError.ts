/**
 * The one base class for errors Atoll raises on purpose. `code` is a stable identifier from
 * one of the catalogues (an App Services `error_code` string such as "InvalidSession", or a
 * sync protocol number such as 231); `details` carries what a user or operator needs to act.
 */
export class AtollError<C extends string | number = string | number> extends Error {
  readonly code: C;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: C,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
  }
}
