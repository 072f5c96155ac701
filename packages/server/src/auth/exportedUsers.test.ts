import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { exportedUserEntries, readExportedUsers } from "./exportedUsers.js";

const EXAMPLE = fileURLToPath(
  new URL("../../../../examples/migration/users.json", import.meta.url),
);
const named = (type: string) => `${type}-here`;

it("reads the Admin API's users, keeping ids, identities, dates and state, leaving anonymous users out", () => {
  const { users, skipped } = readExportedUsers(
    exportedUserEntries(readFileSync(EXAMPLE, "utf8")),
    named,
  );
  expect(users.map(({ user }) => user)).toEqual([
    {
      id: "65f0c0ffee0000000000a001",
      type: "normal",
      disabled: false,
      data: { email: "ann@example.com", name: "Ann" },
      identities: [
        {
          id: "ann-at-the-identity-provider",
          provider_type: "custom-token",
          provider_id: "custom-token-here",
        },
      ],
      createdAt: new Date(1_700_000_000_000),
    },
    {
      id: "65f0c0ffee0000000000a002",
      type: "normal",
      disabled: false,
      data: { email: "bob@example.com" },
      identities: [
        {
          id: "65f0c0ffee0000000000b002",
          provider_type: "local-userpass",
          provider_id: "local-userpass-here",
        },
      ],
      createdAt: new Date(1_700_000_100_000),
    },
  ]);
  expect(users[0]?.lastSignIn).toEqual(new Date(1_710_000_000_000));
  expect(skipped).toEqual([
    {
      position: 3,
      id: "65f0c0ffee0000000000a003",
      reason: "an anonymous user cannot be carried over: nothing can sign in as it again",
    },
  ]);
});

it("reads the command line's output: users grouped by provider, id and enabled, JSON lines", () => {
  const lines = [
    JSON.stringify({
      provider_type: "custom-function",
      users: [
        {
          id: "u1",
          enabled: false,
          identities: [{ id: "fn-1", provider_type: "custom-function" }],
          creation_date: "2024-01-02T03:04:05Z",
        },
      ],
    }),
    JSON.stringify({
      id: "u2",
      email: "c@example.com",
      identities: [{ id: "k", provider_type: "api-key" }],
    }),
  ].join("\n");
  const { users, skipped } = readExportedUsers(exportedUserEntries(lines), named);
  expect(
    users.map(({ user }) => [user.id, user.disabled, user.createdAt, user.identities[0]?.id]),
  ).toEqual([["u1", true, new Date("2024-01-02T03:04:05Z"), "fn-1"]]);
  expect(skipped.map((s) => [s.id, s.reason])).toEqual([
    ["u2", "has no identity that can sign in here (API keys are not exported)"],
  ]);
});
