import { describe, expect, it } from "vitest";
import type { HoldfastConfig } from "../../config/index.js";
import { normalizeSlackEvent } from "./normalize.js";
import { resolveSlackAccounts } from "./settings.js";

const BOT = "xoxb-1-2-abcdefghij";
const APP = "xapp-1-A1-abcdefghij";
const src = (config: HoldfastConfig, secrets: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) => ({
  config,
  secrets: { get: (p: string) => secrets[p] },
  env,
});

describe("Slack account settings", () => {
  it("runs Socket Mode by default with tokens from config or SLACK_BOT_TOKEN / SLACK_APP_TOKEN", () => {
    const [a] = resolveSlackAccounts(
      src(
        { channels: { slack: { slackApiUrl: "http://127.0.0.1:9/api" } } },
        {},
        { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP },
      ),
    );
    expect(a).toMatchObject({
      accountId: "default",
      mode: "socket",
      botToken: BOT,
      appToken: APP,
      apiUrl: "http://127.0.0.1:9/api/",
      textLimit: 4000,
    });
    const [b] = resolveSlackAccounts(
      src(
        { channels: { slack: { textChunkLimit: 100_000 } } },
        { "channels.slack.botToken": BOT, "channels.slack.appToken": APP },
      ),
    );
    expect(b?.textLimit).toBe(40_000);
    expect(resolveSlackAccounts(src({}, {}, { SLACK_BOT_TOKEN: BOT }))).toEqual([]);
  });

  it("refuses missing or wrong tokens, naming the key and never the value", () => {
    const err = (config: HoldfastConfig, secrets: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) => {
      try {
        resolveSlackAccounts(src(config, secrets, env));
        return undefined;
      } catch (e) {
        return e as { code: string; message: string };
      }
    };
    expect(err({ channels: { slack: {} } })).toMatchObject({
      code: "HF_CHANNEL_CONFIG",
      message: expect.stringContaining("channels.slack.botToken"),
    });
    expect(err({ channels: { slack: {} } }, {}, { SLACK_BOT_TOKEN: BOT })?.message).toContain(
      "channels.slack.appToken",
    );
    const wrong = err(
      { channels: { slack: {} } },
      {},
      { SLACK_BOT_TOKEN: "xoxp-user-token-secret", SLACK_APP_TOKEN: APP },
    );
    expect(wrong?.message).toContain("xoxb-");
    expect(wrong?.message).not.toContain("user-token-secret");
    expect(err({ channels: { slack: { mode: "http" } } }, {}, { SLACK_BOT_TOKEN: BOT })?.message).toContain(
      "channels.slack.signingSecret: required in http mode",
    );
    expect(
      err(
        { channels: { slack: { accounts: { work: { mode: "http" } } } } },
        { "channels.slack.accounts.work.botToken": BOT, "channels.slack.accounts.work.signingSecret": "s3cret" },
      ),
    ).toBeUndefined();
    expect(
      err(
        { channels: { slack: { mode: "http", webhookPath: "/api/slack" } } },
        { "channels.slack.botToken": BOT, "channels.slack.signingSecret": "s3cret" },
      )?.message,
    ).toContain("channels.slack.webhookPath");
  });

  it("serves http mode on /slack/events (per-account paths) and folds channels.<id> into the group allowlist", () => {
    const accounts = resolveSlackAccounts(
      src(
        {
          channels: {
            slack: {
              mode: "http",
              groupPolicy: "allowlist",
              channels: {
                c0abc: { requireMention: false, users: ["U1"] },
                "*": { requireMention: true },
                C0OFF: { allow: false },
              },
              accounts: { work: { botToken: BOT } },
            },
          },
        },
        { "channels.slack.accounts.work.botToken": BOT, "channels.slack.accounts.work.signingSecret": "s3cret" },
      ),
    );
    expect(accounts.map((a) => [a.accountId, a.http?.path])).toEqual([["work", "/slack/events/work"]]);
    expect(accounts[0]?.access.groups).toEqual({
      C0ABC: { requireMention: false, allowFrom: ["U1"] },
      "*": { requireMention: true },
      C0OFF: { enabled: false },
    });
  });
});

describe("Slack message events", () => {
  const ctx = { accountId: "default", botUserId: "U0BOT", botId: "B0BOT", now: 1 };
  const ev = (over: Record<string, unknown>) => ({
    type: "message",
    channel: "C0CHAN",
    channel_type: "channel",
    user: "U0ADA",
    text: "hi",
    ts: "1.000001",
    ...over,
  });

  it("keeps people's messages and drops bots, this bot, edits, joins and deletions", () => {
    expect(normalizeSlackEvent(ev({}), ctx)).toMatchObject({
      chatType: "group",
      chatId: "C0CHAN",
      updateId: "C0CHAN:1.000001",
    });
    expect(normalizeSlackEvent(ev({ bot_id: "B9" }), ctx)).toBeUndefined();
    expect(normalizeSlackEvent(ev({ user: "U0BOT" }), ctx)).toBeUndefined();
    for (const subtype of ["message_changed", "message_deleted", "channel_join", "bot_message"])
      expect(normalizeSlackEvent(ev({ subtype }), ctx)).toBeUndefined();
    expect(normalizeSlackEvent(ev({ subtype: "thread_broadcast" }), ctx)).toBeDefined();
  });

  it("reads mentions, broadcasts, threads and replies to the bot; decodes Slack's escapes", () => {
    expect(normalizeSlackEvent(ev({ text: "<@U0BOT|holdfast> hi" }), ctx)).toMatchObject({
      mentionsBot: true,
      hasAnyMention: true,
    });
    expect(normalizeSlackEvent(ev({ text: "<@U0ADA> hi" }), ctx)).toMatchObject({
      mentionsBot: false,
      hasAnyMention: true,
    });
    expect(normalizeSlackEvent(ev({ text: "<!here> all" }), ctx)).toMatchObject({
      mentionsBot: false,
      hasAnyMention: true,
    });
    expect(normalizeSlackEvent(ev({ text: "a &lt;b&gt; &amp; c" }), ctx)?.text).toBe("a <b> & c");
    const inThread = normalizeSlackEvent(ev({ ts: "2.0", thread_ts: "1.0", parent_user_id: "U0BOT" }), ctx);
    expect(inThread).toMatchObject({
      threadId: "1.0",
      replyToBot: true,
      replyTo: { messageId: "1.0", senderId: "U0BOT" },
    });
    expect(normalizeSlackEvent(ev({ ts: "1.0", thread_ts: "1.0" }), ctx)?.threadId).toBeUndefined();
    expect(normalizeSlackEvent(ev({ channel: "D0DM", channel_type: "im" }), ctx)?.chatType).toBe("direct");
  });
});
