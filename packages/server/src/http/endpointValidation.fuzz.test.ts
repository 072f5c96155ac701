/**
 * Endpoint validation on generated bodies, secrets and signatures: the signature of the body
 * under the endpoint's secret is accepted (in any letter case, with surrounding spaces), and
 * every other header value, the signature of another body or under another secret, is refused.
 */
import { createHmac } from "node:crypto";
import { AppError } from "@atoll/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuzzParameters } from "../../../protocol/src/test-support/fuzzParameters.js";
import type { EndpointConfig } from "../config/types.js";
import { checkEndpointValidation } from "./endpointValidation.js";

function endpoint(
  validationMethod: EndpointConfig["validationMethod"],
  secret: string,
): EndpointConfig {
  return {
    route: "/hook",
    httpMethod: "POST",
    functionName: "hook",
    validationMethod,
    secret,
    respondResult: true,
    fetchCustomUserData: false,
    createUserOnAuth: false,
    disabled: false,
  };
}

const sign = (body: Uint8Array, secret: string) =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

function accepted(run: () => void): boolean {
  try {
    run();
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "AuthError", httpStatus: 401 });
    return false;
  }
}

describe("endpoint validation", () => {
  it("accepts exactly the body's HMAC-SHA256 under the endpoint's secret", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 256 }),
        fc.uint8Array({ maxLength: 256 }),
        fc.string({ minLength: 1 }),
        fc.string({ minLength: 1 }),
        fc.string(),
        (body, otherBody, secret, otherSecret, noise) => {
          const config = endpoint("VERIFY_PAYLOAD", secret);
          const check = (signature: string | undefined) =>
            accepted(() => checkEndpointValidation(config, new URLSearchParams(), signature, body));
          const good = sign(body, secret);
          expect(check(good)).toBe(true);
          expect(check(` ${good.toUpperCase().replace("SHA256=", "sha256=")} `)).toBe(true);
          expect(check(undefined)).toBe(false);
          expect(check(noise)).toBe(noise.trim().toLowerCase() === good);
          const forOther = sign(otherBody, secret);
          expect(check(forOther)).toBe(forOther === good);
          const underOther = sign(body, otherSecret);
          expect(check(underOther)).toBe(underOther === good);
        },
      ),
      fuzzParameters(200),
    );
  });

  it("accepts exactly the endpoint's secret as the secret query parameter", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), (secret, given) => {
        const config = endpoint("SECRET_AS_QUERY_PARAM", secret);
        const check = (query: URLSearchParams) =>
          accepted(() => checkEndpointValidation(config, query, undefined, new Uint8Array()));
        expect(check(new URLSearchParams({ secret }))).toBe(true);
        expect(check(new URLSearchParams({ secret: given }))).toBe(given === secret);
        expect(check(new URLSearchParams())).toBe(false);
      }),
      fuzzParameters(200),
    );
  });
});
