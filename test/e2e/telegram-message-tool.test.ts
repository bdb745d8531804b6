import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeTelegram } from "../support/fake-telegram.js";
import { makeStateDir, mockModelConfig, spawnGateway, type GatewayProcess } from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

const BOT = { token: "700003:MsgToolTokenMsgToolTokenMsgTool0000", id: 700003, username: "holdfast_msg_bot" };

describe("the message tool sends through the running Telegram channel", () => {
  let mock: MockModelServer;
  let fake: FakeTelegram;
  let gw: GatewayProcess;

  beforeAll(async () => {
    mock = await startMockModelServer();
    fake = await FakeTelegram.start([BOT]);
    const model = mockModelConfig(mock.url);
    const stateDir = await makeStateDir({
      ...model,
      agents: { defaults: { ...(model.agents as { defaults: object }).defaults, sandbox: { mode: "off" } } },
      tools: { alsoAllow: ["message"] },
      channels: { telegram: { apiRoot: fake.url, pollingTimeoutSec: 1, dmPolicy: "allowlist", allowFrom: ["3001"] } },
    });
    gw = await spawnGateway(stateDir, { env: { TELEGRAM_BOT_TOKEN: BOT.token } });
    await fake.waitForPoll(BOT.token);
  });

  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await mock?.close();
  });

  it("delivers the tool's message to the current chat, then the agent's reply", async () => {
    await fake.userSends(BOT.token, {
      from: { id: 3001, first_name: "Ada" },
      text: 'tool message {"text":"sent by the message tool"}',
    });
    const toolMessage = await fake.waitForSent((s) => s.chatId === "3001" && s.text === "sent by the message tool");
    expect(toolMessage).toBeDefined();
    const reply = await fake.waitForSent((s) => s.chatId === "3001" && s.text.startsWith("Tool message returned:"));
    expect(reply.text).not.toContain("not available");
    expect(mock.requests[0]?.tools).toContain("message");
  });
});
