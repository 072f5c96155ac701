/**
 * How confirmation and reset links reach their owner. With an SMTP server configured (the
 * operator's `--smtp-url`), each link is mailed to the account's address. Only an explicit
 * development switch prints links to the console instead (never into the app's log store,
 * which `atoll logs` shows to whoever may read logs). With neither, sending fails with an
 * error that names the missing setting and not the link, so the token stays secret.
 */
import { AppError } from "@atoll/protocol";
import type { AuthProviderConfig } from "../config/types.js";
import type { LinkDelivery } from "../auth/providers/EmailPasswordAccounts.js";
import { smtpMailer, type Mailer } from "./smtpMailer.js";

export interface AccountMailOptions {
  /** `smtp://user:pass@host:port` or `smtps://…`; the operator's mail server. */
  readonly smtpUrl?: string;
  /** The sender address of account mail. */
  readonly from?: string;
  /** Development only: print links to the console instead of mailing them. */
  readonly devPrintLinks?: boolean;
  /** Where development links are printed (default: standard error). */
  readonly print?: (line: string) => void;
}

export const DEFAULT_MAIL_FROM = "Atoll <no-reply@localhost>";

const PURPOSE = {
  confirm: {
    noun: "confirmation",
    subject: "Confirm your email address",
    action: "confirm your account",
  },
  reset: {
    noun: "password reset",
    subject: "Reset your password",
    action: "choose a new password",
  },
} as const;

export function accountLinkDelivery(options: AccountMailOptions): LinkDelivery {
  if (options.smtpUrl !== undefined && options.smtpUrl !== "") {
    return mailedLinks(smtpMailer(options.smtpUrl), options.from ?? DEFAULT_MAIL_FROM);
  }
  if (options.devPrintLinks === true) {
    const print = options.print ?? ((line: string) => process.stderr.write(`${line}\n`));
    return (link) => {
      print(`atoll (development): ${PURPOSE[link.kind].noun} link for ${link.email}: ${link.url}`);
    };
  }
  return (link) => {
    throw new AppError(
      "InternalServerError",
      `cannot send the ${PURPOSE[link.kind].noun} email to ${link.email}: no mail server is configured (start the server with --smtp-url, or --dev-print-auth-links while developing)`,
    );
  };
}

function mailedLinks(mailer: Mailer, from: string): LinkDelivery {
  return async (link) => {
    const purpose = PURPOSE[link.kind];
    try {
      await mailer.send({
        from,
        to: link.email,
        subject: purpose.subject,
        text: `Open this link to ${purpose.action}:\n\n${link.url}\n\nThe link works once, for 30 minutes. If you did not ask for it, ignore this email.\n`,
      });
    } catch (error) {
      // The mail server's answer, never the message (which carries the token).
      const reason = error instanceof Error ? error.message : String(error);
      throw new AppError(
        "InternalServerError",
        `could not send the ${purpose.noun} email to ${link.email}: ${reason}`,
      );
    }
  };
}

/**
 * Warnings for the operator at start-up: email/password providers whose confirmation or reset
 * would need mail while neither a mail server nor the development switch is configured.
 */
export function mailSettingNotes(
  providers: ReadonlyMap<string, AuthProviderConfig>,
  options: AccountMailOptions,
): string[] {
  if ((options.smtpUrl ?? "") !== "" || options.devPrintLinks === true) return [];
  const notes: string[] = [];
  for (const provider of providers.values()) {
    if (provider.type !== "local-userpass" || provider.disabled) continue;
    const mailed = [
      provider.config.autoConfirm !== true && provider.config.runConfirmationFunction !== true
        ? "confirmation"
        : undefined,
      provider.config.runResetFunction !== true ? "password reset" : undefined,
    ].filter((what) => what !== undefined);
    if (mailed.length > 0)
      notes.push(
        `${provider.name}: ${mailed.join(" and ")} emails cannot be sent until a mail server is configured (--smtp-url)`,
      );
  }
  return notes;
}
