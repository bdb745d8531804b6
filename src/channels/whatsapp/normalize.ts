import {
  isJidBot,
  isJidBroadcast,
  isJidGroup,
  isJidMetaAI,
  isJidNewsletter,
  isLidUser,
  isPnUser,
  jidDecode,
  jidNormalizedUser,
  normalizeMessageContent,
  type proto,
  type WAMessage,
} from "baileys";
import type { InboundMessage, MediaRef } from "../adapter.js";

/** The linked account as the adapter knows it once the socket is open. */
export interface WhatsAppSelf {
  /** Phone-number jid without device (`15551234567@s.whatsapp.net`). */
  readonly jid: string;
  /** The account's LID jid without device (`123456789@lid`), when WhatsApp reported one. */
  readonly lid?: string;
}

/** What {@link normalizeWhatsAppMessage} needs besides the message. */
export interface WhatsAppNormalizeContext {
  readonly self: WhatsAppSelf;
  readonly accountId: string;
  readonly now: number;
  /** `selfChatMode`: messages the owner writes in the chat with their own number are answered. */
  readonly selfChatMode: boolean;
  /** True for a message id this adapter sent (its own replies, also in the self-chat). */
  readonly sentByBot: (messageId: string) => boolean;
}

/** Why a message is not handed over (debug logs; never message content). */
export type WhatsAppDropReason =
  "no_content" | "broadcast" | "newsletter" | "own_message" | "self_chat" | "bot_sender" | "no_phone_number";

/** `+<digits>` of a phone-number jid (`15551234567:3@s.whatsapp.net` → `+15551234567`), else undefined. */
export function jidToE164(jid: string | undefined): string | undefined {
  if (!jid || !isPnUser(jid)) return undefined;
  const user = jidDecode(jid)?.user;
  return user && /^\d{3,20}$/.test(user) ? `+${user}` : undefined;
}

/** The phone-number jid of an E.164 number (`+1 (555) 123` → `1555123@s.whatsapp.net`), else undefined. */
export function e164ToJid(raw: string): string | undefined {
  const digits = raw.replace(/^[a-z][a-z0-9+.-]*:/i, "").replace(/\D/g, "");
  return digits.length >= 3 && digits.length <= 20 ? `${digits}@s.whatsapp.net` : undefined;
}

/** The phone-number jid of a jid and its alternate (Baileys 7 addresses some chats by LID, with the PN as `…Alt`). */
function pnJid(jid: string | null | undefined, alt: string | null | undefined): string | undefined {
  for (const j of [jid, alt]) if (j && isPnUser(j)) return jidNormalizedUser(j);
  return undefined;
}

function isSelf(jid: string | null | undefined, self: WhatsAppSelf): boolean {
  if (!jid) return false;
  const n = jidNormalizedUser(jid);
  return n === self.jid || (self.lid !== undefined && n === self.lid);
}

type Content = proto.IMessage;

/** The text of a message: its body, or the caption of its media. */
function textOf(c: Content): string {
  return (
    c.conversation ??
    c.extendedTextMessage?.text ??
    c.imageMessage?.caption ??
    c.videoMessage?.caption ??
    c.documentMessage?.caption ??
    ""
  );
}

/** The context info (mentions, quoted message) of whichever part of the message carries it. */
function contextOf(c: Content): proto.IContextInfo | undefined {
  for (const part of Object.values(c) as unknown[]) {
    const info = (part as { contextInfo?: proto.IContextInfo | null } | null)?.contextInfo;
    if (info) return info;
  }
  return undefined;
}

/** A protobuf length as it arrives (number, Long, or Long after a JSON round trip). */
function lengthOf(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^\d+$/.test(v)) return Number(v);
  if (v && typeof v === "object" && "low" in v && "high" in v) {
    const { low, high } = v as { low: number; high: number };
    return (high >>> 0) * 2 ** 32 + (low >>> 0);
  }
  return undefined;
}

function mediaOf(c: Content, id: string): MediaRef[] {
  const parts: [MediaRef["kind"], proto.Message.IImageMessage | proto.Message.IDocumentMessage | null | undefined][] = [
    ["photo", c.imageMessage],
    [c.videoMessage?.gifPlayback ? "animation" : "video", c.videoMessage],
    [c.audioMessage?.ptt ? "voice" : "audio", c.audioMessage],
    ["document", c.documentMessage],
    ["sticker", c.stickerMessage],
  ];
  const out: MediaRef[] = [];
  for (const [kind, m] of parts) {
    if (!m) continue;
    const size = lengthOf(m.fileLength);
    const name = (m as proto.Message.IDocumentMessage).fileName;
    out.push({
      kind,
      fileId: id,
      ...(size !== undefined ? { sizeBytes: size } : {}),
      ...(m.mimetype ? { mimeType: m.mimetype } : {}),
      ...(name ? { fileName: name } : {}),
    });
  }
  return out;
}

/**
 * Turns a Baileys `messages.upsert` message into an {@link InboundMessage}, or a drop reason:
 * status updates and broadcast lists (`…@broadcast`), newsletters, WhatsApp's bot accounts, protocol
 * messages (reactions, edits, receipts: no text and no media), and the account's own messages — except,
 * with `selfChatMode`, what the owner writes in the chat with their own number (never a message this
 * adapter sent). Senders are E.164 (`+15551234567`) from the phone-number jid (a LID-addressed message
 * uses its `remoteJidAlt`/`participantAlt`); a sender known only by LID is dropped (no phone number to
 * match `allowFrom` against). Groups are `…@g.us`. `mentionsBot`: the bot's jid or LID in
 * `contextInfo.mentionedJid`; `replyToBot`: the quoted message's `participant` is the bot. The update id
 * is `<chat jid>:<message id>`.
 */
export function normalizeWhatsAppMessage(
  m: WAMessage,
  ctx: WhatsAppNormalizeContext,
): { readonly msg: InboundMessage } | { readonly drop: WhatsAppDropReason } {
  const key = m.key;
  const remote = key.remoteJid ?? undefined;
  const id = key.id ?? undefined;
  const content = normalizeMessageContent(m.message);
  if (!remote || !id || !content) return { drop: "no_content" };
  if (isJidBroadcast(remote)) return { drop: "broadcast" };
  if (isJidNewsletter(remote)) return { drop: "newsletter" };
  const text = textOf(content);
  const media = mediaOf(content, id);
  if (text === "" && media.length === 0) return { drop: "no_content" };
  const group = isJidGroup(remote) === true;
  const senderRaw = group ? key.participant : remote;
  const senderAlt = group ? key.participantAlt : key.remoteJidAlt;
  if (isJidBot(senderRaw ?? undefined) || isJidMetaAI(senderRaw ?? undefined)) return { drop: "bot_sender" };
  if (group && (isSelf(senderRaw, ctx.self) || isSelf(senderAlt, ctx.self))) return { drop: "own_message" };
  if (key.fromMe) {
    if (group || ctx.sentByBot(id)) return { drop: "own_message" };
    if (!isSelf(remote, ctx.self) && !(isLidUser(remote) && isSelf(key.remoteJidAlt, ctx.self)))
      return { drop: "own_message" };
    if (!ctx.selfChatMode) return { drop: "self_chat" };
  } else if (!group && (isSelf(remote, ctx.self) || isSelf(key.remoteJidAlt, ctx.self))) {
    if (!ctx.selfChatMode) return { drop: "self_chat" };
  }
  const senderJid = key.fromMe ? ctx.self.jid : pnJid(senderRaw, senderAlt);
  const senderId = jidToE164(senderJid);
  if (!senderId || !senderJid) return { drop: "no_phone_number" };
  const info = contextOf(content);
  const mentioned = info?.mentionedJid ?? [];
  const quotedBy = info?.stanzaId ? (info.participant ?? undefined) : undefined;
  const quotedE164 = jidToE164(quotedBy ?? undefined);
  return {
    msg: {
      channel: "whatsapp",
      accountId: ctx.accountId,
      chatType: group ? "group" : "direct",
      chatId: group ? remote : senderJid,
      senderId,
      ...(m.pushName ? { senderName: m.pushName } : {}),
      text,
      mentionsBot: mentioned.some((j) => isSelf(j, ctx.self)),
      hasAnyMention: mentioned.length > 0,
      replyToBot: quotedBy !== undefined && isSelf(quotedBy, ctx.self),
      ...(info?.stanzaId
        ? { replyTo: { messageId: info.stanzaId, ...(quotedE164 ? { senderId: quotedE164 } : {}) } }
        : {}),
      media,
      messageId: id,
      updateId: `${remote}:${id}`,
      receivedAt: ctx.now,
    },
  };
}
