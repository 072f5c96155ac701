/** Plain-text mail over SMTP (nodemailer), to the server the operator configured. */
import { createTransport } from "nodemailer";

export interface MailMessage {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

export function smtpMailer(url: string): Mailer {
  const transport = createTransport(url);
  return {
    send: async (message) => {
      await transport.sendMail(message);
    },
  };
}
