import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/client/index.js";
import type { FakeTelegram } from "../support/fake-telegram.js";
import { runCli, type GatewayProcess } from "../support/gateway-process.js";
import { startTelegramGateway, type TelegramGateway } from "../support/telegram-gateway.js";

const BOT = { token: "700009:ConflictTokenConflictTokenConflict0", id: 700009, username: "holdfast_conflict_bot" };

interface AccountDoc {
  channel: string;
  accountId: string;
  state: string;
  errorCode?: string;
  lastError?: { code: string; message: string };
}

/**
 * Another process polls the same bot (Telegram answers 409): the gateway keeps retrying, shows the
 * conflict in `holdfast channels status`, the `health` method and `GET /health` until it clears, then
 * answers again.
 */
describe("Telegram 409 through a real gateway: retried, visible, recovered", () => {
  let tg: TelegramGateway;
  let fake: FakeTelegram;
  let stateDir: string;
  let gw: GatewayProcess;

  let client: GatewayClient;
  /** The accounts as the CLI prints them (a process each: used sparingly), or through the socket. */
  const cliAccounts = async (): Promise<AccountDoc[]> => {
    const res = await runCli(stateDir, ["channels", "status", "--json"]);
    expect(res.code).toBe(0);
    return (JSON.parse(res.stdout) as { accounts: AccountDoc[] }).accounts;
  };
  const accounts = async () => ((await client.request("channels.status")) as { accounts: AccountDoc[] }).accounts;
  const health = async () => {
    const res = await fetch(`${gw.url.replace("ws", "http")}/health`);
    return { status: res.status, body: (await res.json()) as unknown };
  };

  beforeAll(async () => {
    tg = await startTelegramGateway(BOT, { telegram: { dmPolicy: "allowlist", allowFrom: ["42"], timeoutSeconds: 3 } });
    ({ fake, stateDir, gw } = tg);
    client = await GatewayClient.connect({ url: gw.url, token: await gw.token() });
  });
  afterAll(async () => {
    client?.close();
    await tg?.close();
  });

  it("shows the conflict while it lasts, and recovers without a restart", async () => {
    expect(await health()).toEqual({ status: 200, body: { ok: true } });
    fake.setConflict(true);
    await expect
      .poll(async () => (await accounts())[0], { timeout: 15_000, interval: 200 })
      .toMatchObject({
        channel: "telegram",
        accountId: "default",
        state: "retrying",
        errorCode: "HF_CHANNEL_CONFLICT",
      });
    expect(await health()).toEqual({ status: 200, body: { ok: false } });
    const h = (await client.request("health")) as { ok: boolean; degraded?: { component: string; code: string }[] };
    expect(h.ok).toBe(false);
    expect(h.degraded).toEqual([
      expect.objectContaining({ component: "channel:telegram/default", code: "HF_CHANNEL_CONFLICT" }),
    ]);
    const text = await runCli(stateDir, ["channels", "status"]);
    expect(text.stdout).toMatch(
      /^telegram\/default: retrying HF_CHANNEL_CONFLICT for \d+ s \(polling, @holdfast_conflict_bot\)$/m,
    );
    expect(text.stdout).toContain(
      "HF_CHANNEL_CONFLICT getUpdates: 409 Conflict: terminated by other getUpdates request",
    );
    expect(text.stdout + text.stderr).not.toContain(BOT.token.split(":")[1]);
    // With backoff (0.5 s doubling): the retries thin out instead of hammering the Bot API.
    await expect.poll(() => fake.conflictAnswers.length, { timeout: 20_000, interval: 200 }).toBeGreaterThanOrEqual(4);
    const gaps = fake.conflictAnswers.slice(1, 4).map((t, i) => t - (fake.conflictAnswers[i] as number));
    expect((gaps[2] as number) - (gaps[0] as number), `gaps ${gaps.join(", ")} ms`).toBeGreaterThan(500);

    fake.setConflict(false);
    await expect.poll(async () => (await accounts())[0]?.state, { timeout: 20_000, interval: 300 }).toBe("running");
    expect(await health()).toEqual({ status: 200, body: { ok: true } });
    expect((await client.request("health")) as object).toMatchObject({ ok: true });
    const after = await cliAccounts();
    expect(after[0]?.state).toBe("running");
    expect(after[0]?.errorCode).toBeUndefined();
    expect(after[0]?.lastError?.code).toBe("HF_CHANNEL_CONFLICT");
    const status = (await client.request("status")) as { channels: AccountDoc[] };
    expect(status.channels[0]).toMatchObject({ state: "running", lastError: { code: "HF_CHANNEL_CONFLICT" } });
    await fake.userSends(BOT.token, { from: { id: 42, first_name: "Ada" }, text: "still there?" });
    const reply = await fake.waitForSent((s) => s.chatId === "42");
    expect(reply.text).toBe("echo: still there?");
  });

  it("abandons a getUpdates that never answers after channels.telegram.timeoutSeconds, and keeps answering", async () => {
    fake.hangNext("getUpdates");
    await expect
      .poll(async () => (await accounts())[0]?.lastError, { timeout: 15_000, interval: 250 })
      .toMatchObject({ code: "HF_CHANNEL_NETWORK", message: expect.stringMatching(/getUpdates.*timed out/) });
    await fake.userSends(BOT.token, { from: { id: 42, first_name: "Ada" }, text: "after the hang" });
    const reply = await fake.waitForSent((s) => s.chatId === "42" && s.text.includes("after the hang"), 15_000);
    expect(reply.text).toBe("echo: after the hang");
    expect((await accounts())[0]?.state).toBe("running");
    const text = await runCli(stateDir, ["channels", "status"]);
    expect(text.stdout).toContain("HF_CHANNEL_NETWORK");
  });
});
