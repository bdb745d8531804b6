import { mkdtemp } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import { Hono } from "hono";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { captureLogger, instantClock } from "../../../test/support/capture-log.js";
import { channelState } from "../../../test/support/temp-state.js";
import { FakeTelegram } from "../../../test/support/fake-telegram.js";
import type { InboundMessage } from "../adapter.js";
import { TelegramAdapter } from "./adapter.js";
import type { TelegramAccountSettings } from "./settings.js";

const BOT = { token: "222222:CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC", id: 222222, username: "hook_bot" };
const SECRET = "s3cret-webhook-token-value_1234";

describe("Telegram webhook mode", () => {
  let fake: FakeTelegram;
  let server: ServerType;
  let base: string;
  let stateDir: string;
  let app: Hono;
  let current: TelegramAdapter | undefined;

  beforeEach(async () => {
    fake = await FakeTelegram.start([BOT]);
    stateDir = await mkdtemp(path.join(os.tmpdir(), "hf-tgw-"));
    app = new Hono();
    app.all("*", (c) => (current ? routeVia(current, c.req.raw) : c.text("no adapter", 500)));
    server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
    await new Promise((r) => server.once("listening", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await current?.stop();
    await fake.close();
    await new Promise((r) => server.close(r));
  });

  /** Each adapter mounts its routes on a fresh app, so a restarted adapter replaces the old one. */
  const mounted = new WeakMap<TelegramAdapter, Hono>();
  function routeVia(a: TelegramAdapter, req: Request): Response | Promise<Response> {
    let sub = mounted.get(a);
    if (!sub) {
      sub = new Hono();
      a.publicRoutes(sub);
      mounted.set(a, sub);
    }
    return sub.fetch(req);
  }

  const settings = (): TelegramAccountSettings => ({
    accountId: "default",
    configPath: "channels.telegram",
    config: {},
    token: BOT.token,
    apiRoot: fake.url,
    mode: "webhook",
    webhook: { url: `${base}/telegram-webhook`, secret: SECRET, path: "/telegram-webhook" },
    pollingTimeoutSec: 1,
    requestTimeoutSec: 31,
    textLimit: 4096,
  });
  const start = async () => {
    const got: InboundMessage[] = [];
    const a = new TelegramAdapter(settings(), {
      log: captureLogger().log,
      clock: instantClock,
      queues: channelState(stateDir).queues,
    });
    current = a;
    await a.start(async (m) => void got.push(m));
    await expect.poll(() => a.status().state).toBe("running");
    return { a, got };
  };

  it("registers the webhook with its secret and handles deliveries", async () => {
    const { got } = await start();
    expect(fake.webhook(BOT.token)).toEqual({ url: `${base}/telegram-webhook`, secret: SECRET });
    const res = await fake.userSends(BOT.token, { from: { id: 9 }, text: "via webhook" });
    expect(res.webhookStatus).toBe(200);
    await expect.poll(() => got.map((m) => m.text)).toEqual(["via webhook"]);
  });

  it("answers 401 to a missing or wrong secret, before reading the body", async () => {
    const { got } = await start();
    const body = JSON.stringify({
      update_id: 1,
      message: {
        message_id: 1,
        date: 0,
        chat: { id: 9, type: "private" },
        from: { id: 9, is_bot: false, first_name: "x" },
        text: "forged",
      },
    });
    const none = await fetch(`${base}/telegram-webhook`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(none.status).toBe(401);
    const wrong = await fetch(`${base}/telegram-webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": `${SECRET}x` },
      body,
    });
    expect(wrong.status).toBe(401);
    let pulled = false;
    const stream = new ReadableStream(
      {
        pull(ctl) {
          pulled = true;
          ctl.enqueue(new TextEncoder().encode(body));
          ctl.close();
        },
      },
      { highWaterMark: 0 },
    );
    const req = new Request(`${base}/telegram-webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": "nope" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    const unread = await routeVia(current as TelegramAdapter, req);
    expect(unread.status).toBe(401);
    expect(pulled).toBe(false);
    const junk = await fetch(`${base}/telegram-webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
      body: '{"no":1}',
    });
    expect(junk.status).toBe(400);
    const big = await fetch(`${base}/telegram-webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
      body: JSON.stringify({ update_id: 2, pad: "x".repeat(2 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect(got).toHaveLength(0);
  });

  it("handles a redelivered update once, also after a restart", async () => {
    const first = await start();
    const { update } = await fake.userSends(BOT.token, { from: { id: 9 }, text: "one" });
    await fake.deliver(BOT.token, update);
    await expect.poll(() => first.got.length).toBe(1);
    await first.a.stop();
    const second = await start();
    expect((await fake.deliver(BOT.token, update)).webhookStatus).toBe(200);
    await fake.userSends(BOT.token, { from: { id: 9 }, text: "two" });
    await expect.poll(() => second.got.map((m) => m.text)).toEqual(["two"]);
    expect(first.got.map((m) => m.text)).toEqual(["one"]);
  });
});
