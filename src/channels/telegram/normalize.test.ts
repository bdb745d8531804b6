import type { Update, UserFromGetMe } from "grammy/types";
import { describe, expect, it } from "vitest";
import { normalizeTelegramUpdate } from "./normalize.js";

const me = { id: 99, is_bot: true, first_name: "Bot", username: "holdfast_bot" } as UserFromGetMe;
const base = { message_id: 5, date: 0, from: { id: 7, is_bot: false, first_name: "Ada", last_name: "L" } };
const upd = (message: Record<string, unknown>): Update =>
  ({ update_id: 1, message: { ...base, ...message } }) as unknown as Update;

describe("normalizeTelegramUpdate", () => {
  it("normalizes a DM", () => {
    expect(normalizeTelegramUpdate(upd({ chat: { id: 7, type: "private" }, text: "hi" }), me, "default", 1)).toEqual({
      channel: "telegram",
      accountId: "default",
      chatType: "direct",
      chatId: "7",
      senderId: "7",
      senderName: "Ada L",
      text: "hi",
      mentionsBot: false,
      hasAnyMention: false,
      replyToBot: false,
      media: [],
      messageId: "5",
      updateId: "1",
      receivedAt: 1,
    });
  });

  it("detects @bot mentions case-insensitively, other mentions, text mentions and replies to the bot", () => {
    const g = { chat: { id: -1, type: "supergroup" } };
    const m = (text: string, entities: unknown[]) =>
      normalizeTelegramUpdate(upd({ ...g, text, entities }), me, "default", 0);
    expect(m("@HoldFast_Bot hi", [{ type: "mention", offset: 0, length: 13 }])).toMatchObject({
      mentionsBot: true,
      hasAnyMention: true,
    });
    expect(m("@someone hi", [{ type: "mention", offset: 0, length: 8 }])).toMatchObject({
      mentionsBot: false,
      hasAnyMention: true,
    });
    expect(m("Bot hi", [{ type: "text_mention", offset: 0, length: 3, user: me }])).toMatchObject({
      mentionsBot: true,
    });
    expect(m("@holdfast_bot", [])).toMatchObject({ mentionsBot: false });
    expect(
      normalizeTelegramUpdate(
        upd({ ...g, text: "x", reply_to_message: { message_id: 3, date: 0, chat: g.chat, from: me } }),
        me,
        "default",
        0,
      ),
    ).toMatchObject({ replyToBot: true, replyTo: { messageId: "3", senderId: "99" } });
  });

  it("marks commands addressed to another bot", () => {
    const g = { chat: { id: -1, type: "group" } };
    expect(normalizeTelegramUpdate(upd({ ...g, text: "/new@other_bot" }), me, "d", 0)?.commandForOtherBot).toBe(true);
    expect(
      normalizeTelegramUpdate(upd({ ...g, text: "/new@HoldFast_Bot" }), me, "d", 0)?.commandForOtherBot,
    ).toBeUndefined();
    expect(normalizeTelegramUpdate(upd({ ...g, text: "/new" }), me, "d", 0)?.commandForOtherBot).toBeUndefined();
  });

  it("drops bots, channel posts and edits; keeps the largest photo and caption", () => {
    expect(
      normalizeTelegramUpdate(
        upd({ chat: { id: 7, type: "private" }, text: "x", from: { id: 8, is_bot: true, first_name: "b" } }),
        me,
        "d",
        0,
      ),
    ).toBeUndefined();
    expect(normalizeTelegramUpdate(upd({ chat: { id: -5, type: "channel" }, text: "x" }), me, "d", 0)).toBeUndefined();
    expect(
      normalizeTelegramUpdate(
        { update_id: 2, edited_message: { ...base, chat: { id: 7, type: "private" }, text: "x" } } as unknown as Update,
        me,
        "d",
        0,
      ),
    ).toBeUndefined();
    const photo = [
      { file_id: "s", file_unique_id: "s", width: 10, height: 10, file_size: 100 },
      { file_id: "l", file_unique_id: "l", width: 90, height: 90, file_size: 900 },
    ];
    expect(
      normalizeTelegramUpdate(upd({ chat: { id: 7, type: "private" }, caption: "look", photo }), me, "d", 0),
    ).toMatchObject({ text: "look", media: [{ kind: "photo", fileId: "l", sizeBytes: 900 }] });
  });
});
