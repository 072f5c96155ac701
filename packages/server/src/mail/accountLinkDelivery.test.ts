import { describe, expect, it } from "vitest";
import type { AuthProviderConfig } from "../config/types.js";
import { mailSettingNotes } from "./accountLinkDelivery.js";

function userpass(config: Record<string, unknown>, disabled = false): AuthProviderConfig {
  return {
    name: "local-userpass",
    type: "local-userpass",
    disabled,
    config,
    secretConfig: {},
    metadataFields: [],
  };
}

describe("mail setting notes", () => {
  it("name what an email/password provider would mail while no mail server is configured", () => {
    const providers = (config: Record<string, unknown>, disabled = false) =>
      new Map([["local-userpass", userpass(config, disabled)]]);
    expect(mailSettingNotes(providers({}), {})).toEqual([
      "local-userpass: confirmation and password reset emails cannot be sent until a mail server is configured (--smtp-url)",
    ]);
    expect(mailSettingNotes(providers({ autoConfirm: true }), {})).toEqual([
      "local-userpass: password reset emails cannot be sent until a mail server is configured (--smtp-url)",
    ]);
    const functions = { runConfirmationFunction: true, runResetFunction: true };
    expect(mailSettingNotes(providers(functions), {})).toEqual([]);
    expect(mailSettingNotes(providers({}, true), {})).toEqual([]);
    expect(mailSettingNotes(providers({}), { smtpUrl: "smtp://mail.example.org" })).toEqual([]);
    expect(mailSettingNotes(providers({}), { devPrintLinks: true })).toEqual([]);
  });
});
