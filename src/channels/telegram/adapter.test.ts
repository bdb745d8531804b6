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
    textLimit: 4096,
    ...over,
  });
  const adapter = (s = settings(), dir = stateDir, log = captureLogger().log) => {
    const a = new TelegramAdapter(s, { log, clock: instantClock, queues: channelState(dir).queues });
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

  it("stops with one clear error on 409 (another poller) instead of retrying", async () => {
    const capA = captureLogger();
    const a = adapter(settings(), stateDir, capA.log);
    await a.start(collect().sink);
    await fake.waitForPoll(BOT.token);
    const b = adapter(settings(), await mkdtemp(path.join(os.tmpdir(), "hf-tg-")));
    const cb = collect();
    await b.start(cb.sink);
    await expect.poll(() => a.status().state).toBe("failed");
    expect(a.status().errorCode).toBe("HF_CHANNEL_CONFLICT");
    const errors = capA.lines.filter((l) => l.level === 50);
    expect(errors).toHaveLength(1);
    expect(String(errors[0]?.msg)).toContain("another process is receiving this bot's updates");
    expect(capA.text()).not.toContain(BOT.token);
    await fake.userSends(BOT.token, { from: { id: 7 }, text: "to b" });
    await cb.next(1);
    expect(cb.got[0]?.text).toBe("to b");
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
