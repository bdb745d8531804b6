import { mediaKindOf } from "../download.js";
import type { InboundMessage, MediaRef } from "../adapter.js";

/** A mention inside a Signal message (signal-cli `JsonMention`). */
export interface SignalMention {
  readonly name?: string | null;
  readonly number?: string | null;
  readonly uuid?: string | null;
  readonly start?: number;
  readonly length?: number;
}

/** A received `dataMessage` (signal-cli `JsonDataMessage`, the fields holdfast reads). */
export interface SignalDataMessage {
  readonly timestamp?: number;
  readonly message?: string | null;
  readonly mentions?: readonly SignalMention[] | null;
  readonly attachments?:
    | readonly {
        readonly id?: string;
        readonly contentType?: string;
        readonly filename?: string | null;
        readonly size?: number | null;
      }[]
    | null;
  readonly groupInfo?: { readonly groupId?: string; readonly groupName?: string; readonly type?: string } | null;
  readonly quote?: {
    readonly id?: number;
    readonly author?: string | null;
    readonly authorNumber?: string | null;
    readonly authorUuid?: string | null;
  } | null;
  readonly reaction?: unknown;
  readonly remoteDelete?: unknown;
  readonly groupV2Change?: unknown;
}

/** A signal-cli receive envelope (`JsonMessageEnvelope`). */
export interface SignalEnvelope {
  readonly source?: string | null;
  readonly sourceNumber?: string | null;
  readonly sourceUuid?: string | null;
  readonly sourceName?: string | null;
  readonly timestamp?: number;
  readonly dataMessage?: SignalDataMessage | null;
  readonly syncMessage?: unknown;
  readonly typingMessage?: unknown;
  readonly receiptMessage?: unknown;
  readonly editMessage?: unknown;
  readonly storyMessage?: unknown;
}

/** Who the bot is on Signal: its number and, once the daemon said, its ACI (uuid). */
export interface SignalSelf {
  readonly number: string;
  readonly uuid?: string;
}

/** The character Signal puts where a mention sits in the text. */
const MENTION_PLACEHOLDER = "\uFFFC";

/** The sender id access control sees: the E.164 number, else `uuid:<aci>` (number hidden or unknown). */
export function signalSenderId(
  env: Pick<SignalEnvelope, "sourceNumber" | "sourceUuid" | "source">,
): string | undefined {
  const number = env.sourceNumber ?? (env.source && env.source.startsWith("+") ? env.source : undefined);
  if (number) return number;
  const uuid = env.sourceUuid ?? (env.source && !env.source.startsWith("+") ? env.source : undefined);
  return uuid ? `uuid:${uuid.toLowerCase()}` : undefined;
}

/** A Signal message id as holdfast passes it around: `<timestamp>:<author number or uuid>` (what a quote needs). */
export function signalMessageId(timestamp: number, author: string): string {
  return `${timestamp}:${author}`;
}

/** The parts of {@link signalMessageId}, or undefined when `id` is not one. */
export function parseSignalMessageId(id: string): { timestamp: number; author: string } | undefined {
  const m = /^(\d{1,16}):(.+)$/.exec(id);
  return m ? { timestamp: Number(m[1]), author: (m[2] as string).replace(/^uuid:/, "") } : undefined;
}

function isSelf(self: SignalSelf, number?: string | null, uuid?: string | null): boolean {
  return (
    (number !== undefined && number !== null && number === self.number) ||
    (uuid !== undefined && uuid !== null && self.uuid !== undefined && uuid.toLowerCase() === self.uuid.toLowerCase())
  );
}

/**
 * Turns a signal-cli envelope into an {@link InboundMessage}, or undefined when it is not a person's
 * message for the bot: sync messages (the bot's own sends from linked devices), typing indicators,
 * receipts, edits, stories, reactions, remote deletes, group updates, the bot's own number, and
 * envelopes without a sender. DMs are chats with the sender (`chatId` = sender id); group chats keep
 * Signal's base64 group id exactly (case preserved). A mention of the bot is an entry of
 * `dataMessage.mentions` naming the bot's number or uuid; mention placeholders (U+FFFC) become
 * `@<name>` in the text. A quote of one of the bot's messages is `replyToBot`. Attachment refs carry
 * the chat they came from in `url` (`recipient:<id>` / `group:<id>`: what `getAttachment` needs).
 */
export function normalizeSignalEnvelope(
  env: SignalEnvelope,
  ctx: { readonly self: SignalSelf; readonly accountId: string; readonly now: number },
): InboundMessage | undefined {
  const dm = env.dataMessage;
  if (!dm || env.syncMessage || env.typingMessage || env.receiptMessage || env.editMessage || env.storyMessage)
    return undefined;
  if (dm.reaction || dm.remoteDelete || dm.groupV2Change) return undefined;
  if (isSelf(ctx.self, env.sourceNumber ?? env.source, env.sourceUuid)) return undefined;
  const senderId = signalSenderId(env);
  const timestamp = dm.timestamp ?? env.timestamp;
  if (!senderId || timestamp === undefined) return undefined;
  const groupId = dm.groupInfo?.groupId;
  if (dm.groupInfo && (!groupId || (dm.groupInfo.type !== undefined && dm.groupInfo.type !== "DELIVER")))
    return undefined;
  const mentions = dm.mentions ?? [];
  const author = env.sourceUuid ?? env.sourceNumber ?? env.source ?? senderId;
  const id = signalMessageId(timestamp, author);
  const chatId = groupId ?? senderId;
  const quote = dm.quote;
  const quoteAuthor = quote ? (quote.authorUuid ?? quote.authorNumber ?? quote.author ?? undefined) : undefined;
  return {
    channel: "signal",
    accountId: ctx.accountId,
    chatType: groupId ? "group" : "direct",
    chatId,
    senderId,
    ...(env.sourceName ? { senderName: env.sourceName } : {}),
    text: withMentionNames(dm.message ?? "", mentions),
    mentionsBot: mentions.some((m) => isSelf(ctx.self, m.number, m.uuid)),
    hasAnyMention: mentions.length > 0,
    replyToBot: quote ? isSelf(ctx.self, quote.authorNumber ?? quote.author, quote.authorUuid) : false,
    ...(quote?.id !== undefined && quoteAuthor
      ? { replyTo: { messageId: signalMessageId(quote.id, quoteAuthor), senderId: quoteAuthor } }
      : {}),
    media: (dm.attachments ?? []).flatMap((a) => (a.id ? [mediaRef(a, groupId ? `group:${groupId}` : senderId)] : [])),
    messageId: id,
    updateId: id,
    receivedAt: ctx.now,
  };
}

/** Replaces each mention placeholder with `@<name>` (from the end, so earlier offsets stay valid). */
function withMentionNames(text: string, mentions: readonly SignalMention[]): string {
  let out = text;
  const sorted = [...mentions]
    .filter((m) => typeof m.start === "number")
    .sort((a, b) => (b.start ?? 0) - (a.start ?? 0));
  for (const m of sorted) {
    const start = m.start as number;
    const len = m.length ?? 1;
    if (out.slice(start, start + len) !== MENTION_PLACEHOLDER.repeat(len) && out[start] !== MENTION_PLACEHOLDER)
      continue;
    out = `${out.slice(0, start)}@${m.name ?? m.number ?? m.uuid ?? "someone"}${out.slice(start + len)}`;
  }
  return out;
}

function mediaRef(a: NonNullable<SignalDataMessage["attachments"]>[number], from: string): MediaRef {
  const mime = a.contentType ?? "";
  const kind = mediaKindOf(mime);
  return {
    kind,
    fileId: a.id as string,
    url: from.startsWith("group:") ? from : `recipient:${from}`,
    ...(typeof a.size === "number" ? { sizeBytes: a.size } : {}),
    ...(mime ? { mimeType: mime } : {}),
    ...(a.filename ? { fileName: a.filename } : {}),
  };
}
