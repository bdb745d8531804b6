import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeTelegram } from "../support/fake-telegram.js";
import { startTelegramGateway, type TelegramGateway } from "../support/telegram-gateway.js";

const BOT = { token: "700003:MsgToolTokenMsgToolTokenMsgTool0000", id: 700003, username: "holdfast_msg_bot" };

describe("the message tool sends through the running Telegram channel", () => {
  let tg: TelegramGateway;
  let fake: FakeTelegram;

  beforeAll(async () => {
    tg = await startTelegramGateway(BOT, {
      telegram: { dmPolicy: "allowlist", allowFrom: ["3001"] },
      config: (model) => ({
        agents: { defaults: { ...(model.agents as { defaults: object }).defaults, sandbox: { mode: "off" } } },
        tools: { alsoAllow: ["message"] },
      }),
    });
    fake = tg.fake;
  });

  afterAll(() => tg?.close());

  it("delivers the tool's message to the current chat, then the agent's reply", async () => {
    await fake.userSends(BOT.token, {
      from: { id: 3001, first_name: "Ada" },
      text: 'tool message {"text":"sent by the message tool"}',
    });
    const toolMessage = await fake.waitForSent((s) => s.chatId === "3001" && s.text === "sent by the message tool");
    expect(toolMessage).toBeDefined();
    const reply = await fake.waitForSent((s) => s.chatId === "3001" && s.text.startsWith("Tool message returned:"));
    expect(reply.text).not.toContain("not available");
    expect(tg.mock.requests[0]?.tools).toContain("message");
  });
});
