/**
 * Email/password accounts (`local-userpass`): registration, confirmation and password reset,
 * each through auto-confirm, the app's confirmation/reset function, or a token link. Tokens
 * are single-use, valid for 30 minutes, and stored as digests; a link carrying one is handed to
 * `deliverLink` (the server mails it) and never logged. A login for an unknown email checks the
 * password against a stand-in hash, so it costs what a login for a known one costs, and both
 * fail alike (`InvalidPassword`).
 */
import { AppError } from "@atoll/protocol";
import { SYSTEM_USER } from "../../callerContext.js";
import type { AuthProviderConfig } from "../../config/types.js";
import type { DataService, Document } from "../../data/types.js";
import {
  AuthCollection,
  authCollection,
  booleanField,
  dateField,
  stringField,
} from "../authCollections.js";
import type { FunctionRunner } from "../FunctionRunner.js";
import { hashForUnknownAccounts, scryptPasswords, type PasswordHasher } from "../passwords.js";
import { digest, newId, randomSecret } from "../secrets.js";
import type { ResolvedIdentity } from "./ResolvedIdentity.js";

export const USERPASS_TOKEN_MINUTES = 30;

/** A login's answer for an account moved without its password: the app offers a reset. */
export const PASSWORD_RESET_REQUIRED =
  "password reset required: this account was moved without its password; reset it to sign in";

type TokenKind = "confirm" | "reset";

/** A confirmation or reset link for `email`; `url` carries the token. */
export interface AccountLink {
  readonly kind: TokenKind;
  readonly email: string;
  readonly url: string;
}

/** Sends the link to its owner; rejects (without the link in the error) when it cannot. */
export type LinkDelivery = (link: AccountLink) => void | Promise<void>;

function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== "string" || value === "")
    throw new AppError("MissingParameter", `expected a '${field}' string`);
  return value;
}

function checkPassword(password: string): void {
  if (password.length < 6 || password.length > 128) {
    throw new AppError("BadRequest", "password must be between 6 and 128 characters");
  }
}

function functionStatus(result: unknown): string {
  const status =
    typeof result === "object" && result !== null
      ? (result as Record<string, unknown>).status
      : undefined;
  return typeof status === "string" ? status : "";
}

export class EmailPasswordAccounts {
  constructor(
    private readonly system: DataService,
    private readonly provider: AuthProviderConfig,
    private readonly functions: FunctionRunner,
    private readonly deliverLink: LinkDelivery,
    private readonly passwords: PasswordHasher = scryptPasswords,
  ) {}

  private get accounts() {
    return authCollection(this.system, AuthCollection.userpass);
  }

  private option(name: string): unknown {
    return this.provider.config[name];
  }

  private async account(email: string): Promise<Document> {
    const doc = await this.accounts.findOne({ _id: email.toLowerCase() });
    if (doc === null) throw new AppError("UserNotFound", "user not found");
    return doc;
  }

  /** A fresh token pair for `kind`, stored (as a digest) on the account. */
  private async issueToken(
    email: string,
    kind: TokenKind,
    extra: Document = {},
  ): Promise<{ token: string; tokenId: string }> {
    const token = randomSecret(32);
    const tokenId = newId();
    const expiresAt = new Date(Date.now() + USERPASS_TOKEN_MINUTES * 60_000);
    await this.accounts.updateOne(
      { _id: email.toLowerCase() },
      {
        $set: {
          [`${kind}TokenId`]: tokenId,
          [`${kind}TokenDigest`]: digest(token),
          [`${kind}ExpiresAt`]: expiresAt,
          ...extra,
        },
      },
    );
    return { token, tokenId };
  }

  private async consumeToken(kind: TokenKind, body: Record<string, unknown>): Promise<Document> {
    const token = requireString(body, "token");
    const tokenId = requireString(body, "tokenId");
    const doc = await this.accounts.findOne({ [`${kind}TokenId`]: tokenId });
    const expiresAt = doc === null ? undefined : dateField(doc, `${kind}ExpiresAt`);
    if (
      doc === null ||
      stringField(doc, `${kind}TokenDigest`) !== digest(token) ||
      expiresAt === undefined ||
      expiresAt.getTime() < Date.now()
    ) {
      throw new AppError("UserpassTokenInvalid", "invalid token data");
    }
    await this.accounts.updateOne(
      { _id: doc._id },
      { $unset: { [`${kind}TokenId`]: "", [`${kind}TokenDigest`]: "", [`${kind}ExpiresAt`]: "" } },
    );
    return doc;
  }

  private linkUrl(option: string, token: { token: string; tokenId: string }): string {
    const base = typeof this.option(option) === "string" ? String(this.option(option)) : "";
    const query = `token=${encodeURIComponent(token.token)}&tokenId=${encodeURIComponent(token.tokenId)}`;
    return base === "" ? `?${query}` : `${base}${base.includes("?") ? "&" : "?"}${query}`;
  }

  async register(body: Record<string, unknown>): Promise<void> {
    const email = requireString(body, "email");
    const password = requireString(body, "password");
    checkPassword(password);
    if ((await this.accounts.findOne({ _id: email.toLowerCase() })) !== null) {
      throw new AppError("AccountNameInUse", "name already in use");
    }
    const confirmed = this.option("autoConfirm") === true;
    const account = {
      _id: email.toLowerCase(),
      email,
      identityId: newId(),
      passwordHash: await this.passwords.hash(password),
      confirmed,
      createdAt: new Date(),
    };
    try {
      await this.accounts.insertOne(account);
    } catch (error) {
      // A concurrent registration of the same email got there first.
      if ((await this.accounts.findOne({ _id: account._id })) !== null)
        throw new AppError("AccountNameInUse", "name already in use");
      throw error;
    }
    if (!confirmed) await this.startConfirmation(email, true);
  }

  /**
   * An account moved from another App Services app, which never hands out password hashes:
   * confirmed, owned by the identity it had there, and without a password until its owner
   * sets one through the reset flow (a login answers `PASSWORD_RESET_REQUIRED` until then).
   * Leaves an account already there as it is.
   */
  async restore(account: { email: string; identityId: string; createdAt: Date }): Promise<void> {
    if ((await this.accounts.findOne({ _id: account.email.toLowerCase() })) !== null) return;
    await this.accounts.insertOne({
      _id: account.email.toLowerCase(),
      email: account.email,
      identityId: account.identityId,
      confirmed: true,
      createdAt: account.createdAt,
    });
  }

  /** Runs the confirmation function, or hands out a confirmation link. */
  private async startConfirmation(email: string, removeOnFailure: boolean): Promise<void> {
    const token = await this.issueToken(email, "confirm");
    const functionName = this.option("confirmationFunctionName");
    if (this.option("runConfirmationFunction") !== true || typeof functionName !== "string") {
      try {
        await this.deliverLink({
          kind: "confirm",
          email,
          url: this.linkUrl("emailConfirmationUrl", token),
        });
      } catch (error) {
        if (removeOnFailure) await this.accounts.deleteOne({ _id: email.toLowerCase() });
        throw error;
      }
      return;
    }
    let status: string;
    try {
      status = functionStatus(
        await this.functions.execute(functionName, [{ ...token, username: email }], SYSTEM_USER, {
          asSystem: true,
        }),
      );
    } catch (error) {
      if (removeOnFailure) await this.accounts.deleteOne({ _id: email.toLowerCase() });
      throw error;
    }
    if (status === "success") {
      await this.markConfirmed(email.toLowerCase());
    } else if (status !== "pending") {
      if (removeOnFailure) await this.accounts.deleteOne({ _id: email.toLowerCase() });
      throw new AppError("BadRequest", `failed to confirm user "${email}"`);
    }
  }

  private async markConfirmed(accountId: string): Promise<void> {
    await this.accounts.updateOne(
      { _id: accountId },
      {
        $set: { confirmed: true },
        $unset: { confirmTokenId: "", confirmTokenDigest: "", confirmExpiresAt: "" },
      },
    );
  }

  async confirm(body: Record<string, unknown>): Promise<void> {
    const doc = await this.consumeToken("confirm", body);
    await this.markConfirmed(stringField(doc, "_id"));
  }

  /** `confirm/send` (again a link) and `confirm/call` (again the function) differ only in how. */
  async resendConfirmation(body: Record<string, unknown>): Promise<void> {
    const email = requireString(body, "email");
    const doc = await this.account(email);
    if (booleanField(doc, "confirmed"))
      throw new AppError("UserAlreadyConfirmed", "already confirmed");
    await this.startConfirmation(stringField(doc, "email"), false);
  }

  async sendReset(body: Record<string, unknown>): Promise<void> {
    const email = requireString(body, "email");
    if (this.option("runResetFunction") === true) {
      throw new AppError("BadRequest", "please use reset password via function");
    }
    const doc = await this.account(email);
    const token = await this.issueToken(stringField(doc, "email"), "reset");
    await this.deliverLink({
      kind: "reset",
      email: stringField(doc, "email"),
      url: this.linkUrl("resetPasswordUrl", token),
    });
  }

  async reset(body: Record<string, unknown>): Promise<void> {
    const password = requireString(body, "password");
    checkPassword(password);
    const doc = await this.consumeToken("reset", body);
    await this.accounts.updateOne(
      { _id: doc._id },
      { $set: { passwordHash: await this.passwords.hash(password) } },
    );
  }

  /** `reset/call`: the reset function decides; "pending" leaves a token to finish with `reset`. */
  async callReset(body: Record<string, unknown>): Promise<void> {
    const email = requireString(body, "email");
    const password = requireString(body, "password");
    checkPassword(password);
    const functionName = this.option("resetFunctionName");
    if (this.option("runResetFunction") !== true || typeof functionName !== "string") {
      throw new AppError("BadRequest", "reset function is not enabled for this provider");
    }
    const extraArguments = Array.isArray(body.arguments) ? (body.arguments as unknown[]) : [];
    const doc = await this.account(email);
    const token = await this.issueToken(stringField(doc, "email"), "reset");
    const currentPasswordValid = await this.passwords.verify(
      password,
      stringField(doc, "passwordHash"),
    );
    const result = await this.functions.execute(
      functionName,
      [
        { ...token, username: stringField(doc, "email"), password, currentPasswordValid },
        ...extraArguments,
      ],
      SYSTEM_USER,
      { asSystem: true },
    );
    const status = functionStatus(result);
    if (status === "success") {
      await this.reset({ ...token, password });
    } else if (status !== "pending") {
      throw new AppError(
        "BadRequest",
        `failed to reset password for user "${stringField(doc, "email")}"`,
      );
    }
  }

  async logIn(body: Record<string, unknown>): Promise<ResolvedIdentity> {
    const username = requireString(body, "username");
    const password = requireString(body, "password");
    const doc = await this.accounts.findOne({ _id: username.toLowerCase() });
    const stored = doc === null ? await hashForUnknownAccounts() : stringField(doc, "passwordHash");
    const valid = await this.passwords.verify(password, stored);
    if (doc !== null && stored === "")
      throw new AppError("InvalidPassword", PASSWORD_RESET_REQUIRED);
    if (doc === null || !valid) {
      throw new AppError("InvalidPassword", "invalid username/password");
    }
    if (!booleanField(doc, "confirmed")) throw new AppError("AuthError", "confirmation required");
    return {
      identity: {
        id: stringField(doc, "identityId"),
        provider_type: this.provider.type,
        provider_id: this.provider.name,
      },
      data: { email: stringField(doc, "email") },
    };
  }
}
