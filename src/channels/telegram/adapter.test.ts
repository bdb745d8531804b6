import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { captureLogger, instantClock } from "../../../test/support/capture-log.js";
import { channelState } from "../../../test/support/temp-state.js";
import { FakeTelegram, mentionText } from "../../../test/support/fake-telegram.js";
import type { InboundMessage } from "../adapter.js";
import { TelegramAdapter } from "./adapter.js";
import { createBotApi, sendTelegramText } from "./bot-api.js";
import type { TelegramAccountSettings } from "./settings.js";
import { systemClock, type Clock } from "../../infra/index.js";

/**
 * Retry backoffs (at most 30 s) take 20 ms, so reconnect loops run quickly without spinning; longer
 * sleeps (the getUpdates watchdog, 41 s with these settings) take their real time.
 */
const quickClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => systemClock.sleep(ms <= 30_000 ? Math.min(ms, 20) : ms, signal),
};

const BOT = { token: "111111:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", id: 111111, username: "holdfast_test_bot" };

describe("TelegramAdapter against a fake Bot API (real grammY client)", () => {
  let fake: FakeTelegram;
  let stateDir: string;
  const adapters: TelegramAdapter[] = [];

  beforeEach(async () => {
    fake = await FakeTelegram.start([BOT]);
    stateDir = await mkdtemp(path.join(os.tmpdir(), "hf-tg-"));
  });
  afterEach(async () => {
    for (const a of adapters.splice(0)) await a.stop();
    await fake.close();
  });

  const settings = (over: Partial<TelegramAccountSettings> = {}): TelegramAccountSettings => ({
    accountId: "default",
    configPath: "channels.telegram",
    config: {},
    token: BOT.token,
    apiRoot: fake.url,
    mode: "polling",
    pollingTimeoutSec: 1,
    requestTimeoutSec: 31,
    textLimit: 4096,
    ...over,
  });
  const adapter = (s = settings(), dir = stateDir, log = captureLogger().log, clock = quickClock) => {
    const a = new TelegramAdapter(s, { log, clock, queues: channelState(dir).queues });
    adapters.push(a);
    return a;
  };
  const collect = () => {
    const got: InboundMessage[] = [];
    const waiters: (() => void)[] = [];
    return {
      got,
      sink: async (m: InboundMessage) => {
        got.push(m);
        waiters.splice(0).forEach((w) => w());
      },
      next: (n: number) =>
        new Promise<void>((r) => {
          const check = () => (got.length >= n ? r() : waiters.push(check));
          check();
        }),
    };
  };

  it("long-polls, normalizes DMs and group mentions, and replies in 4096-character chunks", async () => {
    const a = adapter();
    const c = collect();
    await a.start(c.sink);
    await fake.waitForPoll(BOT.token);
    await fake.userSends(BOT.token, { from: { id: 42, first_name: "Ada" }, text: "hello" });
    const m = mentionText(BOT.username, "hi group");
    await fake.userSends(BOT.token, { from: { id: 43 }, chat: { id: -500, type: "supergroup" }, ...m });
    await c.next(2);
    expect(c.got[0]).toMatchObject({
      channel: "telegram",
      accountId: "default",
      chatType: "direct",
      chatId: "42",
      senderId: "42",
      senderName: "Ada",
      text: "hello",
      mentionsBot: false,
    });
    expect(c.got[1]).toMatchObject({
      chatType: "group",
      chatId: "-500",
      senderId: "43",
      mentionsBot: true,
      hasAnyMention: true,
    });
    expect(a.status()).toMatchObject({ state: "running", botUsername: BOT.username });

    const long = `${"a".repeat(4000)}\n${"b".repeat(4000)}\n${"c".repeat(100)}`;
    const ids = await a.send({ chatId: "-500", text: long, replyTo: c.got[1]?.messageId as string });
    expect(ids).toHaveLength(3);
    const sent = fake.sent.filter((s) => s.chatId === "-500");
    expect(sent.map((s) => s.text.length)).toEqual([4000, 4000, 100]);
    expect(sent.every((s) => s.text.length <= 4096)).toBe(true);
    expect(sent[0]?.replyTo).toBe(Number(c.got[1]?.messageId));
    expect(sent[1]?.replyTo).toBeUndefined();
  });

  it("tells a send the platform refused from one that never reached it (distinct catalogue codes)", async () => {
    const send = (apiRoot: string) =>
      sendTelegramText(createBotApi(BOT.token, apiRoot), { chatId: "42", text: "hi" }, 4096, instantClock).then(
        () => "sent",
        (err: { code: string; message: string }) => [err.code, err.message],
      );
    fake.failNext("sendMessage", 400, "Bad Request: chat not found");
    expect(await send(fake.url)).toEqual([
      "HF_CHANNEL_REFUSED",
      "telegram sendMessage failed: sendMessage: 400 Bad Request: chat not found",
    ]);
    for (let i = 0; i < 3; i++) fake.failNext("sendMessage", 502, "Bad Gateway");
    expect(await send(fake.url)).toEqual(["HF_CHANNEL_REFUSED", "telegram sendMessage failed: gave up after retries"]);
    expect(await send("http://127.0.0.1:1")).toEqual([
      "HF_CHANNEL_NETWORK",
      "telegram sendMessage failed: gave up after retries",
    ]);
    expect(await send(fake.url)).toBe("sent");
  });

  it("keeps a refused reply as the account's last error without stopping it from receiving", async () => {
    const a = adapter();
    await a.start(collect().sink);
    await expect.poll(() => a.status().state, { timeout: 5_000 }).toBe("running");
    fake.failNext("sendMessage", 403, "Forbidden: bot was blocked by the user");
    await expect(a.send({ chatId: "42", text: "hi" })).rejects.toMatchObject({ code: "HF_CHANNEL_REFUSED" });
    expect(a.status()).toMatchObject({
      state: "running",
      lastError: {
        code: "HF_CHANNEL_REFUSED",
        message: "telegram sendMessage failed: sendMessage: 403 Forbidden: bot was blocked by the user",
      },
    });
    expect(a.status().errorCode).toBeUndefined();
  });

  it("never hands the same update to the pipeline twice, even across a restart", async () => {
    const first = adapter();
    const c1 = collect();
    await first.start(c1.sink);
    await fake.waitForPoll(BOT.token);
    const { update } = await fake.userSends(BOT.token, { from: { id: 42 }, text: "once" });
    await c1.next(1);
    await first.stop();

    const second = adapter();
    const c2 = collect();
    await second.start(c2.sink);
    await fake.deliver(BOT.token, update);
    await fake.userSends(BOT.token, { from: { id: 42 }, text: "twice?" });
    await c2.next(1);
    await fake.waitForPoll(BOT.token);
    expect(c2.got.map((m) => m.text)).toEqual(["twice?"]);
  });

  it("keeps polling through a 409 (another poller), showing the conflict in status until it clears", async () => {
    const cap = captureLogger();
    const a = adapter(settings(), stateDir, cap.log);
    const c = collect();
    await a.start(c.sink);
    await fake.waitForPoll(BOT.token);
    fake.setConflict(true);
    await fake.userSends(BOT.token, { from: { id: 7 }, text: "wakes the poll" });
    await expect.poll(() => a.status().errorCode).toBe("HF_CHANNEL_CONFLICT");
    const during = a.status();
    expect(during).toMatchObject({ state: "retrying", lastError: { code: "HF_CHANNEL_CONFLICT" } });
    expect(during.lastError?.message).toBe(
      "getUpdates: 409 Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    );
    expect(during.sinceMs).toBeGreaterThan(0);
    const polls = fake.calls.filter((x) => x.method === "getUpdates").length;
    await expect.poll(() => fake.calls.filter((x) => x.method === "getUpdates").length).toBeGreaterThan(polls + 2);
    fake.setConflict(false);
    // The first poll after the conflict answers when its long poll (1 s) ends.
    await expect.poll(() => a.status().state, { timeout: 5_000 }).toBe("running");
    expect(a.status().errorCode).toBeUndefined();
    expect(a.status().sinceMs).toBeUndefined();
    expect(a.status().lastError?.code).toBe("HF_CHANNEL_CONFLICT");
    await fake.userSends(BOT.token, { from: { id: 7 }, text: "after the conflict" });
    await c.next(2);
    expect(c.got.map((m) => m.text)).toEqual(["wakes the poll", "after the conflict"]);
    const conflictLogs = cap.lines.filter((l) => l.level === 50);
    expect(conflictLogs.length).toBeGreaterThanOrEqual(1);
    expect(conflictLogs.length).toBeLessThan(polls + 3);
    expect(String(conflictLogs[0]?.msg)).toContain("another process is receiving this bot's updates");
    expect(cap.lines.some((l) => l.msg === "telegram account receiving again")).toBe(true);
    expect(cap.text()).not.toContain(BOT.token);
  });

  it("gives up on a getUpdates that never answers after the request timeout, and keeps receiving", async () => {
    // The real clock: grammY's own 2 s request timeout must fire before the watchdog (12 s).
    const a = adapter(settings({ requestTimeoutSec: 2 }), stateDir, captureLogger().log, systemClock);
    const c = collect();
    fake.hangNext("getUpdates");
    await a.start(c.sink);
    await expect.poll(() => a.status().lastError?.code, { timeout: 6_000 }).toBe("HF_CHANNEL_NETWORK");
    expect(a.status().lastError?.message).toMatch(/getUpdates.*timed out after 2 seconds/);
    await fake.waitForPoll(BOT.token);
    await fake.userSends(BOT.token, { from: { id: 9 }, text: "still here" });
    await c.next(1);
    expect(c.got[0]?.text).toBe("still here");
    expect(a.status()).toMatchObject({ state: "running" });
  });

  it("stops on a rejected token without looping", async () => {
    const cap = captureLogger();
    const a = adapter(settings({ token: "999999:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB" }), stateDir, cap.log);
    await a.start(collect().sink);
    await expect.poll(() => a.status().state).toBe("failed");
    expect(a.status().errorCode).toBe("HF_CHANNEL_AUTH");
    expect(cap.text()).not.toContain("BBBBBBBBBBBB");
  });

  it("reconnects after transient failures (5xx, 429) with backoff", async () => {
    fake.failNext("getMe", 502, "Bad Gateway");
    fake.failNext("getUpdates", 500, "Internal Server Error");
    fake.failNext("getUpdates", 429, "Too Many Requests: retry after 1", 0);
    const a = adapter();
    const c = collect();
    await a.start(c.sink);
    await fake.userSends(BOT.token, { from: { id: 5 }, text: "after retries" });
    await c.next(1);
    expect(c.got[0]?.text).toBe("after retries");
    expect(fake.calls.filter((x) => x.method === "getMe")).toHaveLength(2);
  });

  it("downloads media within the limit and refuses larger files", async () => {
    const a = adapter();
    fake.addFile("small", Buffer.from("hello file"), "documents/small.txt");
    fake.addFile("big", Buffer.alloc(2048, 1), "documents/big.bin");
    const ok = await a.fetchMedia({ kind: "document", fileId: "small" }, 1024);
    expect(Buffer.from(ok.bytes).toString()).toBe("hello file");
    expect(ok.extension).toBe("txt");
    await expect(a.fetchMedia({ kind: "document", fileId: "big" }, 1024)).rejects.toMatchObject({
      code: "HF_CHANNEL_MEDIA",
      details: { tooLarge: true },
    });
    const before = fake.calls.filter((x) => x.method === "getFile").length;
    await expect(a.fetchMedia({ kind: "document", fileId: "big", sizeBytes: 2048 }, 1024)).rejects.toMatchObject({
      details: { tooLarge: true },
    });
    expect(fake.calls.filter((x) => x.method === "getFile").length).toBe(before);
  });
});
