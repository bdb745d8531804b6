import type { WAMessage } from "baileys";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeSenderId } from "../../access/index.js";
import { e164ToJid, jidToE164, normalizeWhatsAppMessage, type WhatsAppNormalizeContext } from "./normalize.js";

const SELF = { jid: "15550000001@s.whatsapp.net", lid: "90000000001@lid" };
const ctx = (over: Partial<WhatsAppNormalizeContext> = {}): WhatsAppNormalizeContext => ({
  self: SELF,
  accountId: "default",
  now: 1,
  selfChatMode: false,
  sentByBot: () => false,
  ...over,
});
const GROUP = "120363000000000001@g.us";
const PEOPLE = ["15551230001@s.whatsapp.net", "15551230002:3@s.whatsapp.net", "80000000001@lid", SELF.jid, SELF.lid];
const REMOTES = [
  ...PEOPLE,
  GROUP,
  "status@broadcast",
  "1234567890@broadcast",
  "120363000000000009@newsletter",
  "867051314767696@bot",
];

const message: fc.Arbitrary<WAMessage> = fc
  .record({
    remote: fc.constantFrom(...REMOTES),
    participant: fc.constantFrom(...PEOPLE, "867051314767696@bot"),
    alt: fc.option(fc.constantFrom("15551230003@s.whatsapp.net", SELF.jid), { nil: undefined }),
    fromMe: fc.boolean(),
    text: fc.string({ maxLength: 10 }),
    mentions: fc.array(fc.constantFrom(...PEOPLE), { maxLength: 3 }),
  })
  .map((r) => {
    const group = r.remote.endsWith("@g.us");
    return {
      key: {
        remoteJid: r.remote,
        fromMe: r.fromMe,
        id: "3EB0AAAA",
        ...(group ? { participant: r.participant, ...(r.alt ? { participantAlt: r.alt } : {}) } : {}),
        ...(!group && r.alt ? { remoteJidAlt: r.alt } : {}),
      },
      message: { extendedTextMessage: { text: r.text || "x", contextInfo: { mentionedJid: r.mentions } } },
    };
  });

describe("WhatsApp ingress normalization invariants", () => {
  it("never hands over status, broadcast, newsletter or bot messages; senders are always E.164 of a phone jid", () => {
    fc.assert(
      fc.property(message, fc.boolean(), (m, selfChatMode) => {
        const r = normalizeWhatsAppMessage(m, ctx({ selfChatMode }));
        if (!("msg" in r)) return;
        const remote = m.key.remoteJid as string;
        expect(remote.endsWith("@broadcast") || remote.endsWith("@newsletter") || remote.endsWith("@bot")).toBe(false);
        expect(r.msg.senderId).toMatch(/^\+\d{3,20}$/);
        expect(normalizeSenderId("whatsapp", r.msg.senderId)).toBe(r.msg.senderId);
        expect(r.msg.chatType).toBe(remote.endsWith("@g.us") ? "group" : "direct");
        if (r.msg.chatType === "group") expect(r.msg.chatId).toBe(remote);
        if (r.msg.chatType === "direct") expect(r.msg.chatId).toBe(e164ToJid(r.msg.senderId));
      }),
    );
  });

  it("the self-chat and the owner's own messages are handed over only with selfChatMode, never in groups", () => {
    fc.assert(
      fc.property(message, (m) => {
        const r = normalizeWhatsAppMessage(m, ctx({ selfChatMode: false }));
        if ("msg" in r) expect(r.msg.senderId).not.toBe("+15550000001");
        const own = normalizeWhatsAppMessage(m, ctx({ selfChatMode: true, sentByBot: () => true }));
        if (m.key.fromMe) expect("drop" in own).toBe(true);
      }),
    );
  });

  it("mentionsBot is exactly the bot's jid or LID in mentionedJid", () => {
    fc.assert(
      fc.property(message, (m) => {
        const r = normalizeWhatsAppMessage(m, ctx({ selfChatMode: true }));
        if (!("msg" in r)) return;
        const mentioned = m.message?.extendedTextMessage?.contextInfo?.mentionedJid ?? [];
        expect(r.msg.mentionsBot).toBe(mentioned.some((j) => j === SELF.jid || j === SELF.lid));
        expect(r.msg.hasAnyMention).toBe(mentioned.length > 0);
      }),
    );
  });
});

describe("WhatsApp numbers", () => {
  it("normalizes E.164 as the access stage does (`+1 (555) 123` → `+1555123`)", () => {
    expect(e164ToJid("+1 (555) 123")).toBe("1555123@s.whatsapp.net");
    expect(jidToE164("1555123:4@s.whatsapp.net")).toBe("+1555123");
    expect(normalizeSenderId("whatsapp", "+1 (555) 123")).toBe("+1555123");
    expect(jidToE164("80000000001@lid")).toBeUndefined();
    expect(jidToE164(GROUP)).toBeUndefined();
  });

  it("drops a sender known only by LID (no phone number to match allowFrom)", () => {
    const m: WAMessage = {
      key: { remoteJid: "80000000001@lid", fromMe: false, id: "X1" },
      message: { conversation: "hi" },
    };
    expect(normalizeWhatsAppMessage(m, ctx())).toEqual({ drop: "no_phone_number" });
  });

  it("unwraps ephemeral messages and reads captions and media sizes (Long after a JSON round trip)", () => {
    const m: WAMessage = {
      key: { remoteJid: "15551230001@s.whatsapp.net", fromMe: false, id: "X2" },
      message: {
        ephemeralMessage: {
          message: {
            imageMessage: {
              caption: "look",
              mimetype: "image/jpeg",
              fileLength: { low: 2048, high: 0, unsigned: true } as never,
            },
          },
        },
      },
    };
    const r = normalizeWhatsAppMessage(m, ctx());
    expect("msg" in r && r.msg).toMatchObject({
      text: "look",
      media: [{ kind: "photo", sizeBytes: 2048, mimeType: "image/jpeg" }],
    });
  });
});
