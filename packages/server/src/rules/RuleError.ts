import { AppError } from "@atoll/protocol";

/**
 * A rule that cannot be evaluated (a malformed expression the loader let through). The
 * request fails as a server-side problem rather than silently granting or hiding data.
 */
export class RuleError extends AppError {
  constructor(message: string) {
    super("InternalServerError", `rule evaluation failed: ${message}`);
  }
}
