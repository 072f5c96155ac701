/**
 * An HTTPS endpoint's `validation_method`: `SECRET_AS_QUERY_PARAM` wants the secret in the
 * `secret` query parameter, `VERIFY_PAYLOAD` an `Endpoint-Signature: sha256=<hex>` header
 * holding the HMAC-SHA256 of the raw body keyed with the secret. Both compare in constant
 * time; a failure is 401 `AuthError` before the function runs.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { AppError } from "@atoll/protocol";
import type { EndpointConfig } from "../config/types.js";

export const SECRET_QUERY_PARAMETER = "secret";
export const SIGNATURE_HEADER = "Endpoint-Signature";

export function checkEndpointValidation(
  endpoint: EndpointConfig,
  query: URLSearchParams,
  signature: string | undefined,
  body: Uint8Array,
): void {
  const secret = endpoint.secret ?? "";
  switch (endpoint.validationMethod) {
    case "NO_VALIDATION":
      return;
    case "SECRET_AS_QUERY_PARAM":
      if (!sameText(query.get(SECRET_QUERY_PARAMETER) ?? "", secret))
        throw new AppError("AuthError", "invalid secret");
      return;
    case "VERIFY_PAYLOAD": {
      const expected = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
      if (!sameText((signature ?? "").trim().toLowerCase(), expected))
        throw new AppError("AuthError", "invalid signature");
      return;
    }
  }
}

/** Compares digests, so neither the length nor the content of the secret leaks through timing. */
function sameText(given: string, expected: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(given), digest(expected)) && given === expected;
}
