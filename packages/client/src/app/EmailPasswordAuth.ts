/**
 * `app.emailPasswordAuth` (Realm JS's `EmailPasswordAuth`): registration, confirmation and
 * password reset for the email/password provider. None of these need a logged-in user.
 */
import type { Transport } from "./Transport.js";

const ROUTE = "/auth/providers/local-userpass";

export class EmailPasswordAuth {
  constructor(private readonly transport: Transport) {}

  registerUser(details: { email: string; password: string }): Promise<void> {
    return this.post("register", { email: details.email, password: details.password });
  }

  confirmUser(details: { token: string; tokenId: string }): Promise<void> {
    return this.post("confirm", { token: details.token, tokenId: details.tokenId });
  }

  resendConfirmationEmail(details: { email: string }): Promise<void> {
    return this.post("confirm/send", { email: details.email });
  }

  retryCustomConfirmation(details: { email: string }): Promise<void> {
    return this.post("confirm/call", { email: details.email });
  }

  sendResetPasswordEmail(details: { email: string }): Promise<void> {
    return this.post("reset/send", { email: details.email });
  }

  resetPassword(details: { token: string; tokenId: string; password: string }): Promise<void> {
    return this.post("reset", {
      token: details.token,
      tokenId: details.tokenId,
      password: details.password,
    });
  }

  callResetPasswordFunction(
    details: { email: string; password: string },
    ...args: unknown[]
  ): Promise<void> {
    return this.post("reset/call", {
      email: details.email,
      password: details.password,
      arguments: args,
    });
  }

  private async post(action: string, body: Record<string, unknown>): Promise<void> {
    await this.transport.request({
      method: "POST",
      path: `${ROUTE}/${action}`,
      appScoped: true,
      body,
    });
  }
}
