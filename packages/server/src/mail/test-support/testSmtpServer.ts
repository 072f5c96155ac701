/**
 * A real SMTP server (smtp-server) on a free local port that keeps every message it accepts,
 * so tests read the mails Atoll sends exactly as a mailbox would receive them.
 */
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  readonly from: string;
  readonly to: string[];
  /** The message as transmitted (headers and body). */
  readonly raw: string;
  /** The body with quoted-printable soft line breaks and escapes undone. */
  readonly text: string;
}

export interface TestSmtpServer {
  readonly url: string;
  readonly mails: ReceivedMail[];
  /** The link (with `token` and `tokenId`) in the last mail sent to `to`. */
  lastLinkTo(to: string): URL;
  close(): Promise<void>;
}

function decodeQuotedPrintable(body: string): string {
  return body
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** With `refuseRecipients`, every recipient is refused (550), as a mail server may. */
export async function startTestSmtpServer(
  options: { refuseRecipients?: boolean } = {},
): Promise<TestSmtpServer> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (options.refuseRecipients !== true) return callback();
      const refusal = Object.assign(new Error(`mailbox ${address.address} is unavailable`), {
        responseCode: 550,
      });
      callback(refusal);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const from = session.envelope.mailFrom === false ? "" : session.envelope.mailFrom.address;
        mails.push({
          from,
          to: session.envelope.rcptTo.map((recipient) => recipient.address),
          raw,
          text: decodeQuotedPrintable(raw),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    lastLinkTo(to) {
      const mail = mails.filter((m) => m.to.includes(to)).at(-1);
      const link = /https?:\/\/\S+tokenId=\S+/.exec(mail?.text ?? "")?.[0];
      if (link === undefined) throw new Error(`no mail with a link was sent to ${to}`);
      return new URL(link);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
