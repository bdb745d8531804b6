import { Hono } from "hono";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { captureLogger, instantClock } from "../../../test/support/capture-log.js";
import { channelState, tempStateDir } from "../../../test/support/temp-state.js";
import { SLACK_APP } from "../../../test/support/contract-slack.js";
import { FakeSlack } from "../../../test/support/fake-slack.js";
import type { InboundMessage } from "../adapter.js";
import { SlackAdapter } from "./adapter.js";
import { slackSignature } from "./events-route.js";
import type { SlackAccountSettings } from "./settings.js";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const ADA = { id: "U0ADA0001", name: "ada", displayName: "Ada" };

describe("Slack HTTP Events API mode (Bolt behind the gateway's route)", () => {
  let fake: FakeSlack;
  let adapter: SlackAdapter;
  let app: Hono;
  let cap: ReturnType<typeof captureLogger>;
  const got: InboundMessage[] = [];

  const settings = (): SlackAccountSettings => ({
    accountId: "default",
    configPath: "channels.slack",
    access: {},
    botToken: SLACK_APP.botToken,
    mode: "http",
    http: { signingSecret: SECRET, path: "/slack/events" },
    apiUrl: fake.apiUrl,
    textLimit: 4000,
  });
  const post = (body: string, headers: Record<string, string>) =>
    app.request("/slack/events", { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const signed = (body: string, tsSec = Math.floor(Date.now() / 1000)) => ({
    "x-slack-request-timestamp": String(tsSec),
    "x-slack-signature": slackSignature(SECRET, String(tsSec), Buffer.from(body)),
  });
  const eventBody = (text: string, ts = "1700000000.000100") =>
    JSON.stringify({
      type: "event_callback",
      event_id: `Ev${ts.replace(".", "")}`,
      event: { type: "message", channel: "D0ADA0001", channel_type: "im", user: ADA.id, text, ts },
    });
  const settle = async (n: number) => {
    for (let i = 0; i < 200 && got.length < n; i++) await new Promise((r) => setTimeout(r, 10));
  };

  beforeEach(async () => {
    got.length = 0;
    fake = await FakeSlack.start(SLACK_APP, [ADA]);
    cap = captureLogger();
    adapter = new SlackAdapter(settings(), {
      log: cap.log,
      clock: instantClock,
      queues: channelState(tempStateDir("hf-slack-http-").stateDir, "slack").queues,
    });
    app = new Hono();
    adapter.publicRoutes(app);
  });
  afterEach(async () => {
    await adapter.stop();
    await fake.close();
  });

  it("answers 503 before the app is connected, then url_verification with its challenge", async () => {
    const verify = JSON.stringify({
      type: "url_verification",
      challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
    });
    expect((await post(verify, signed(verify))).status).toBe(503);
    await adapter.start(async (m) => void got.push(m));
    for (let i = 0; i < 100 && adapter.status().state !== "running"; i++) await new Promise((r) => setTimeout(r, 10));
    const res = await post(verify, signed(verify));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" });
  });

  it("processes a correctly signed event once (a retried delivery is deduplicated) and acks at once", async () => {
    await adapter.start(async (m) => void got.push(m));
    for (let i = 0; i < 100 && adapter.status().state !== "running"; i++) await new Promise((r) => setTimeout(r, 10));
    const body = eventBody("hello over http");
    expect((await post(body, signed(body))).status).toBe(200);
    expect(
      (await post(body, { ...signed(body), "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" })).status,
    ).toBe(200);
    await settle(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({
      channel: "slack",
      chatType: "direct",
      senderId: ADA.id,
      senderName: "Ada",
      text: "hello over http",
    });
  });

  it("refuses forged, stale and unsigned requests with 401 before parsing or logging the body", async () => {
    await adapter.start(async (m) => void got.push(m));
    for (let i = 0; i < 100 && adapter.status().state !== "running"; i++) await new Promise((r) => setTimeout(r, 10));
    const body = eventBody("FORGED-CONTENT-MARKER");
    const now = Math.floor(Date.now() / 1000);
    const forged = { "x-slack-request-timestamp": String(now), "x-slack-signature": `v0=${"0".repeat(64)}` };
    expect((await post(body, forged)).status).toBe(401);
    expect((await post(body, signed(body, now - 360))).status).toBe(401);
    expect((await post(body, signed(body, now + 360))).status).toBe(401);
    expect((await post(body, { "x-slack-signature": signed(body)["x-slack-signature"] })).status).toBe(401);
    const otherSecret = {
      ...signed(body),
      "x-slack-signature": slackSignature("another-secret", String(now), Buffer.from(body)),
    };
    expect((await post(body, otherSecret)).status).toBe(401);
    const tampered = signed(body);
    expect((await post(body.replace("FORGED", "FORGEd"), tampered)).status).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toEqual([]);
    expect(cap.text()).not.toContain("FORGED-CONTENT-MARKER");
    expect(cap.lines.filter((l) => l.msg === "slack events request refused").map((l) => l.reason)).toEqual([
      "signature_invalid",
      "timestamp_stale",
      "timestamp_stale",
      "timestamp_missing",
      "signature_invalid",
      "signature_invalid",
    ]);
  });

  it("never reads the body of a request with a stale timestamp", async () => {
    await adapter.start(async (m) => void got.push(m));
    let pulled = false;
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          pulled = true;
          c.enqueue(new TextEncoder().encode("{}"));
          c.close();
        },
      },
      { highWaterMark: 0 },
    );
    const res = await app.request("/slack/events", {
      method: "POST",
      headers: { "x-slack-request-timestamp": "1000", "x-slack-signature": "v0=00" },
      body: stream,
      duplex: "half",
    });
    expect(res.status).toBe(401);
    expect(pulled).toBe(false);
  });

  it("refuses bodies over 1 MiB with 413", async () => {
    await adapter.start(async (m) => void got.push(m));
    const big = JSON.stringify({ type: "event_callback", pad: "x".repeat(1024 * 1024) });
    expect((await post(big, signed(big))).status).toBe(413);
  });
});

describe("Slack pairing notice (holdfast pairing approve --notify)", () => {
  it("posts the notice to the user's DM through the Web API without running the account", async () => {
    const fake = await FakeSlack.start(SLACK_APP, [ADA]);
    try {
      const { slackPlugin } = await import("./index.js");
      const src = {
        config: { channels: { slack: { slackApiUrl: fake.apiUrl } } },
        secrets: { get: () => undefined },
        env: { SLACK_BOT_TOKEN: SLACK_APP.botToken, SLACK_APP_TOKEN: SLACK_APP.appToken },
      };
      await slackPlugin.sendNotice(src, { accountId: "default", userId: ADA.id, text: "approved" }, instantClock);
      expect(fake.sent.items).toEqual([expect.objectContaining({ channel: fake.dmOf(ADA.id), text: "approved" })]);
      await expect(
        slackPlugin.sendNotice(src, { accountId: "work", userId: ADA.id, text: "x" }, instantClock),
      ).rejects.toMatchObject({ code: "HF_CHANNEL_UNKNOWN" });
    } finally {
      await fake.close();
    }
  });
});
