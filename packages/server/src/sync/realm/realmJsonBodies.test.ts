import { SyncErrorCode } from "@atoll/protocol";
import { expect, it } from "vitest";
import { bindBody, clientErrorText, queryBody } from "./realmJsonBodies.js";

it("reads a subscription set, a class named __proto__ included, as its own entry", () => {
  const body = queryBody('{"Car":"(miles < 100)","__proto__":"TRUEPREDICATE"}');
  expect(Object.keys(body)).toEqual(["Car", "__proto__"]);
  expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
  expect(body["Car"]).toBe("(miles < 100)");
});

it("refuses bodies that are not JSON or not of the message's shape with bad syntax", () => {
  for (const read of [
    () => queryBody("{not json"),
    () => queryBody('["Car"]'),
    () => queryBody('{"Car":1}'),
    () => bindBody('{"schemaVersion":-1}'),
  ]) {
    expect(read).toThrow(expect.objectContaining({ code: SyncErrorCode.BadSyntax }));
  }
});

it("takes the bind's schema version and session reason, and a client error's message", () => {
  expect(bindBody('{"schemaVersion":4,"sessionReason":0}')).toEqual({
    schemaVersion: 4,
    clientReset: false,
  });
  expect(bindBody('{"sessionReason":1}')).toEqual({ schemaVersion: 0, clientReset: true });
  expect(clientErrorText('{"message":"Bad changeset (DOWNLOAD)"}')).toBe(
    "Bad changeset (DOWNLOAD)",
  );
});
