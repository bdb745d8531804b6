import { normalizeSenderId } from "../../access/index.js";
import type { InboundMessage, MediaRef } from "../adapter.js";
import { mediaKindOf } from "../download.js";

/** A BlueBubbles message (the server's `Message` serialization, the fields holdfast reads). */
export interface BlueBubblesMessage {
  readonly guid?: string;
  readonly text?: string | null;
  readonly isFromMe?: boolean;
  readonly handle?: { readonly address?: string } | null;
  readonly chats?: readonly { readonly guid?: string; readonly displayName?: string | null }[];
  readonly attachments?: readonly {
    readonly guid?: string;
    readonly mimeType?: string | null;
    readonly transferName?: string | null;
    readonly totalBytes?: number | null;
  }[];
  /** Set on tapbacks (reactions): the message reacted to, and the kind (`love`, `like`, 2000…). */
  readonly associatedMessageGuid?: string | null;
  readonly associatedMessageType?: string | number | null;
  /** The message this one replies to (inline reply). */
  readonly threadOriginatorGuid?: string | null;
  /** 0 for a message; group renames, member changes and the like are other item types. */
  readonly itemType?: number;
  readonly dateCreated?: number;
  /** Rich text runs; a mention carries `__kIMMentionConfirmedMention` with the mentioned address. */
  readonly attributedBody?:
    readonly { readonly runs?: readonly { readonly attributes?: Record<string, unknown> }[] }[] | null;
}

/** A webhook body: `{type, data}`; only `new-message` carries a message for the bot. */
export interface BlueBubblesEvent {
  readonly type?: string;
  readonly data?: BlueBubblesMessage;
}

/** The chat guid of a DM with `address` (iMessage service). */
export function directChatGuid(address: string): string {
  return `iMessage;-;${address}`;
}

/** A handle as access control compares it: E.164 for phone numbers, lowercase for Apple ID emails. */
export function normalizeHandle(address: string): string | undefined {
  return normalizeSenderId("bluebubbles", address);
}

/** Where the bot is: its own addresses (for mentions) and the guids of messages it sent (for replies). */
export interface BlueBubblesSelf {
  readonly addresses: ReadonlySet<string>;
  readonly sent: (guid: string) => boolean;
}

/**
 * Turns a webhook event into an {@link InboundMessage}, or undefined when it is not a new message of a
 * person: other event types (typing indicators, read and delivery updates, chat changes), the bot's own
 * messages (`isFromMe`), tapbacks (`associatedMessageType`), group events (`itemType` ≠ 0), empty
 * messages. The chat id is the chat guid (`iMessage;-;<address>` for a DM, `iMessage;+;chat…` for a
 * group); the sender id is the handle's address, normalized. A mention of the bot is a confirmed
 * mention of one of its addresses; a reply to the bot is an inline reply to a message it sent.
 */
export function normalizeBlueBubblesEvent(
  ev: BlueBubblesEvent,
  ctx: { readonly self: BlueBubblesSelf; readonly accountId: string; readonly now: number },
): InboundMessage | undefined {
  const m = ev.data;
  if (ev.type !== "new-message" || !m || m.isFromMe || !m.guid) return undefined;
  if (m.associatedMessageGuid || (m.associatedMessageType !== undefined && m.associatedMessageType !== null))
    return undefined;
  if ((m.itemType ?? 0) !== 0) return undefined;
  const address = m.handle?.address;
  const senderId = address ? normalizeHandle(address) : undefined;
  const chatGuid = m.chats?.[0]?.guid ?? (address ? directChatGuid(address) : undefined);
  if (!senderId || !chatGuid) return undefined;
  const text = (m.text ?? "").replace(/\uFFFC/g, "").trim();
  const attachments = (m.attachments ?? []).filter((a) => a.guid);
  if (text === "" && attachments.length === 0) return undefined;
  const mentioned = mentionedAddresses(m);
  const group = chatGuid.includes(";+;");
  const reply = m.threadOriginatorGuid ?? undefined;
  return {
    channel: "bluebubbles",
    accountId: ctx.accountId,
    chatType: group ? "group" : "direct",
    chatId: chatGuid,
    senderId,
    text,
    mentionsBot: mentioned.some((a) => ctx.self.addresses.has(a)),
    hasAnyMention: mentioned.length > 0,
    replyToBot: reply !== undefined && ctx.self.sent(reply),
    ...(reply ? { replyTo: { messageId: reply } } : {}),
    media: attachments.map(mediaRef),
    messageId: m.guid,
    updateId: m.guid,
    receivedAt: ctx.now,
  };
}

function mentionedAddresses(m: BlueBubblesMessage): string[] {
  const out: string[] = [];
  for (const part of m.attributedBody ?? [])
    for (const run of part.runs ?? []) {
      const a = run.attributes?.__kIMMentionConfirmedMention;
      const n = typeof a === "string" ? normalizeHandle(a) : undefined;
      if (n) out.push(n);
    }
  return out;
}

function mediaRef(a: NonNullable<BlueBubblesMessage["attachments"]>[number]): MediaRef {
  const mime = a.mimeType ?? undefined;
  return {
    kind: mediaKindOf(mime),
    fileId: a.guid as string,
    ...(typeof a.totalBytes === "number" ? { sizeBytes: a.totalBytes } : {}),
    ...(mime ? { mimeType: mime } : {}),
    ...(a.transferName ? { fileName: a.transferName } : {}),
  };
}
