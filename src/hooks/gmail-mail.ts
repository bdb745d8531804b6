import type { GmailMessage, GmailPart } from "./gmail-api.js";
import type { Provenance } from "../sessions/index.js";

/** A new mail as the agent gets it. */
export interface MailItem {
  readonly id: string;
  readonly from: string;
  readonly subject: string;
  /** The text/plain body (else the snippet), at most the cap long. */
  readonly body: string;
  /** True when the body was cut at the cap. */
  readonly truncated: boolean;
}

function header(part: GmailPart | undefined, name: string): string | undefined {
  return part?.headers?.find((h) => h.name.toLowerCase() === name)?.value;
}

/** The first text/plain part with data that is not an attachment, depth first. */
function plainPart(part: GmailPart | undefined): GmailPart | undefined {
  if (!part) return undefined;
  if (part.mimeType?.toLowerCase() === "text/plain" && !part.filename && part.body?.data) return part;
  for (const p of part.parts ?? []) {
    const found = plainPart(p);
    if (found) return found;
  }
  return undefined;
}

/** Decodes Gmail's base64url body data (padding optional) as UTF-8. */
export function decodeBase64Url(data: string): string {
  return Buffer.from(data, "base64url").toString("utf8");
}

/**
 * The mail of a `users.messages.get?format=full` answer: `From` and `Subject` headers (one line each,
 * at most 300 characters), the first text/plain part decoded from base64url (else the snippet; an
 * HTML-only mail is not rendered), normalised to `\n` line ends and cut at `maxChars`.
 */
export function mailItem(m: GmailMessage, maxChars: number): MailItem {
  const line = (s: string | undefined) =>
    (s ?? "")
      .replace(/[\r\n\t]+/g, " ")
      .trim()
      .slice(0, 300);
  const data = plainPart(m.payload)?.body?.data;
  const text = (data !== undefined ? decodeBase64Url(data) : (m.snippet ?? "")).replace(/\r\n?/g, "\n").trim();
  return {
    id: m.id,
    from: line(header(m.payload, "from")) || "unknown sender",
    subject: line(header(m.payload, "subject")),
    body: text.slice(0, maxChars),
    truncated: text.length > maxChars,
  };
}

/**
 * The turn's message for a mail, as raw text: a line saying a mail arrived, then the sender, subject
 * and body. It is untrusted content: the run carries {@link mailProvenance}, and the agent loop wraps
 * it between the turn's boundaries (docs/tools.md "Untrusted content").
 */
export function mailMessage(mailbox: string, mail: MailItem): string {
  return [
    `New mail in ${mailbox}`,
    `From: ${mail.from}`,
    `Subject: ${mail.subject}`,
    "",
    mail.body,
    ...(mail.truncated ? ["[… the rest of the mail was cut off]"] : []),
  ].join("\n");
}

/** The provenance of a mail's turn: `gmail`, sourced `<From> to <mailbox>` ("an email from …"). */
export function mailProvenance(mailbox: string, mail: MailItem): Provenance {
  return { kind: "gmail", source: `${mail.from} to ${mailbox}` };
}
