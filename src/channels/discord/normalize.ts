import { mediaKindOf } from "../download.js";
import type { InboundMessage, MediaRef } from "../adapter.js";

/** Discord message types that are a person's message: a plain message and a reply. */
const PERSON_TYPES = new Set([0, 19]);

/**
 * What holdfast reads of a Discord message (taken from discord.js's `Message` by the adapter, so the
 * rules below are a pure function that tests can drive with any generated message).
 */
export interface DiscordMessageFacts {
  readonly id: string;
  /** Message type (0 default, 19 reply; joins, pins, boosts, ... are other types). */
  readonly type: number;
  readonly content: string;
  readonly authorId: string;
  readonly authorBot: boolean;
  /** Global display name, else the username. */
  readonly authorName?: string;
  readonly authorUsername?: string;
  /** Set for webhook messages. */
  readonly webhookId?: string;
  readonly system: boolean;
  /** Undefined in a DM. */
  readonly guildId?: string;
  readonly channelId: string;
  /** The DM channel with the bot. */
  readonly isDm: boolean;
  /** The parent channel when `channelId` is a thread. */
  readonly threadParentId?: string;
  /** The message this one replies to, and its author (`referenced_message.author`). */
  readonly reference?: { readonly messageId: string; readonly authorId?: string };
  readonly mentionsEveryone: boolean;
  readonly mentionedRoleIds: readonly string[];
  readonly attachments: readonly {
    readonly id: string;
    readonly url: string;
    readonly size: number;
    readonly name?: string;
    readonly contentType?: string;
  }[];
}

const USER_MENTION = /<@!?(\d{5,20})>/g;

/**
 * Turns a Discord message into an {@link InboundMessage}, or undefined when it is not a person's
 * message (bots — this one included —, webhooks, system messages, joins, pins; group DMs). A native
 * mention is `<@botId>` or `<@!botId>` in the content; a reply to one of the bot's messages is
 * `replyToBot`. A role mention (`<@&role>`, even of the bot's own role), `@everyone` and `@here`
 * mention someone but not the bot. In a thread, the chat is the parent channel (the allowlist key)
 * and the thread is `threadId`. The update id is the message id.
 */
export function normalizeDiscordMessage(
  m: DiscordMessageFacts,
  ctx: { readonly botId: string; readonly accountId: string; readonly now: number },
): InboundMessage | undefined {
  if (m.authorBot || m.webhookId !== undefined || m.system || m.authorId === ctx.botId) return undefined;
  if (!PERSON_TYPES.has(m.type)) return undefined;
  if (!m.isDm && m.guildId === undefined) return undefined;
  const users = [...m.content.matchAll(USER_MENTION)].map((x) => x[1]);
  const thread = m.threadParentId !== undefined;
  return {
    channel: "discord",
    accountId: ctx.accountId,
    chatType: m.isDm ? "direct" : "group",
    chatId: thread ? (m.threadParentId as string) : m.channelId,
    senderId: m.authorId,
    ...(m.authorName ? { senderName: m.authorName } : {}),
    ...(m.authorUsername ? { senderUsername: m.authorUsername } : {}),
    text: m.content,
    mentionsBot: users.includes(ctx.botId),
    hasAnyMention: users.length > 0 || m.mentionsEveryone || m.mentionedRoleIds.length > 0 || /<@&\d+>/.test(m.content),
    replyToBot: m.reference?.authorId === ctx.botId,
    ...(m.reference
      ? {
          replyTo: {
            messageId: m.reference.messageId,
            ...(m.reference.authorId ? { senderId: m.reference.authorId } : {}),
          },
        }
      : {}),
    media: m.attachments.map(mediaRef),
    messageId: m.id,
    updateId: m.id,
    ...(thread ? { threadId: m.channelId } : {}),
    ...(m.guildId !== undefined ? { guildId: m.guildId } : {}),
    receivedAt: ctx.now,
  };
}

function mediaRef(a: DiscordMessageFacts["attachments"][number]): MediaRef {
  const mime = a.contentType ?? "";
  const kind = mediaKindOf(mime);
  return {
    kind,
    fileId: a.id,
    sizeBytes: a.size,
    url: a.url,
    ...(mime ? { mimeType: mime } : {}),
    ...(a.name ? { fileName: a.name } : {}),
  };
}
