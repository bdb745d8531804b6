import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnGateway, type GatewayProcess } from "../support/gateway-process.js";
import { startTelegramGateway, type TelegramGateway } from "../support/telegram-gateway.js";

const BOT = { token: "700022:HooksOutboxTokenHooksOutbox0000", id: 700022, username: "holdfast_outbox_bot" };
const HOOKS_TOKEN = "hooks-outbox-e2e-token-0123456789abcdef";
const CANARY = "canary-outbox-5d2e";

describe("a /hooks/agent reply while Telegram fails, across a gateway crash", () => {
  let tg: TelegramGateway;
  let second: GatewayProcess | undefined;

  beforeAll(async () => {
    tg = await startTelegramGateway(BOT, {
      telegram: { dmPolicy: "allowlist", allowFrom: ["tg:3001"] },
      config: () => ({
        hooks: {
          enabled: true,
          token: HOOKS_TOKEN,
          allowedAgentIds: ["main"],
          defaultSessionKey: "hook:outbox",
          deliver: { channel: "telegram", to: "3001" },
        },
      }),
    });
  });

  afterAll(async () => {
    await second?.stop();
    await tg?.close();
  });

  it("keeps the reply in the outbox and sends it exactly once after the restart, without running the turn again", async () => {
    const { fake, mock, gw } = tg;
    for (let i = 0; i < 3; i++) fake.failNext("sendMessage", 502, "Bad Gateway");
    const res = await fetch(`http://127.0.0.1:${gw.port}/hooks/agent`, {
      method: "POST",
      headers: { authorization: `Bearer ${HOOKS_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ message: CANARY, name: "deploy" }),
    });
    expect(res.status).toBe(202);
    const attempts = () =>
      fake.calls.filter((c) => c.method === "sendMessage" && String(c.params.text ?? "").includes(CANARY)).length;
    await expect.poll(attempts, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    expect(fake.sent.filter((s) => s.text.includes(CANARY))).toHaveLength(0);
    // The failure is recorded before the retry timer runs; kill the gateway while it waits.
    await new Promise((r) => setTimeout(r, 300));
    await gw.stop("SIGKILL");
    const modelTurns = mock.requests.filter((r) => r.messages.some((m) => m.content.includes(CANARY))).length;
    expect(modelTurns).toBe(1);

    second = await spawnGateway(tg.stateDir, { env: { TELEGRAM_BOT_TOKEN: BOT.token } });
    const sent = await fake.waitForSent((s) => s.chatId === "3001" && s.text.includes(CANARY), 20_000);
    expect(sent.text).toContain(CANARY);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(fake.sent.filter((s) => s.text.includes(CANARY))).toHaveLength(1);
    expect(mock.requests.filter((r) => r.messages.some((m) => m.content.includes(CANARY))).length).toBe(modelTurns);
  }, 45_000);
});
