import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeTelegram } from "../support/fake-telegram.js";
import { makeStateDir, mockModelConfig, spawnGateway, type GatewayProcess } from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

const BOT = { token: "700002:WebhookTokenWebhookTokenWebhook000", id: 700002, username: "holdfast_hook_bot" };
const SECRET = "e2e-webhook-secret_0123456789";

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe("Telegram webhook mode end to end (gateway process)", () => {
  let mock: MockModelServer;
  let fake: FakeTelegram;
  let gw: GatewayProcess;
  let base: string;

  beforeAll(async () => {
    mock = await startMockModelServer();
    fake = await FakeTelegram.start([BOT]);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const stateDir = await makeStateDir({
      ...mockModelConfig(mock.url),
      channels: {
        telegram: {
          botToken: BOT.token,
          apiRoot: fake.url,
          mode: "webhook",
          webhookUrl: `${base}/telegram-webhook`,
          webhookSecret: "${TG_HOOK_SECRET}",
          dmPolicy: "allowlist",
          allowFrom: ["tg:2001"],
        },
      },
    });
    gw = await spawnGateway(stateDir, { args: ["--port", String(port)], env: { TG_HOOK_SECRET: SECRET } });
    await fake.waitForWebhook(BOT.token);
  });

  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await mock?.close();
  });

  it("registers the webhook and answers allowlisted senders through sendMessage", async () => {
    expect(fake.webhook(BOT.token)).toEqual({ url: `${base}/telegram-webhook`, secret: SECRET });
    const { webhookStatus } = await fake.userSends(BOT.token, { from: { id: 2001 }, text: "via the webhook" });
    expect(webhookStatus).toBe(200);
    expect((await fake.waitForSent((s) => s.chatId === "2001")).text).toBe("echo: via the webhook");
  });

  it("refuses deliveries without the right secret with 401, and opens nothing else", async () => {
    const update = JSON.stringify({
      update_id: 1,
      message: {
        message_id: 1,
        date: 0,
        chat: { id: 2001, type: "private" },
        from: { id: 2001, is_bot: false, first_name: "x" },
        text: "forged",
      },
    });
    for (const headers of [
      {},
      { "x-telegram-bot-api-secret-token": "wrong" },
      { authorization: `Bearer ${await gw.token()}` },
    ] as Record<string, string>[]) {
      const res = await fetch(`${base}/telegram-webhook`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: update,
      });
      expect(res.status).toBe(401);
    }
    expect((await fetch(`${base}/api/status`, { headers: { "x-telegram-bot-api-secret-token": SECRET } })).status).toBe(
      401,
    );
    const before = fake.sent.length;
    await fake.userSends(BOT.token, { from: { id: 2002 }, text: "not allowlisted" });
    await fake.userSends(BOT.token, { from: { id: 2001 }, text: "barrier" });
    await fake.waitForSent((s) => s.text === "echo: barrier");
    expect(fake.sent.slice(before).map((s) => s.chatId)).toEqual(["2001"]);
    expect(
      mock.requests.some((r) =>
        r.messages.some((m) => m.content.includes("forged") || m.content.includes("not allowlisted")),
      ),
    ).toBe(false);
  });
});
