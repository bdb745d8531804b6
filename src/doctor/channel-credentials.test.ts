import { describe, expect, it } from "vitest";
import { resolvePaths, validateConfig } from "../config/index.js";
import { resolveAll } from "../secrets/index.js";
import { channelCredentials } from "./channel-credentials.js";

const check = async (config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => {
  const { config: valid } = validateConfig(config);
  const secrets = await resolveAll(valid, { env, allowExec: false });
  return channelCredentials(valid, secrets, env, resolvePaths({ HOLDFAST_STATE_DIR: "/nonexistent/hf" }));
};

describe("channel credentials (doctor)", () => {
  it("asks Slack Socket Mode for both tokens, HTTP mode for the bot token and the signing secret", async () => {
    expect(await check({ channels: { slack: {} } }, { SLACK_BOT_TOKEN: "xoxb-1" })).toEqual([
      expect.objectContaining({
        path: "channels.slack",
        present: false,
        note: "set channels.slack.appToken (or $SLACK_APP_TOKEN)",
      }),
    ]);
    expect(await check({ channels: { slack: { mode: "http" } } }, { SLACK_BOT_TOKEN: "xoxb-1" })).toEqual([
      expect.objectContaining({ present: false, note: "set channels.slack.signingSecret" }),
    ]);
    const ok = await check(
      { channels: { slack: { mode: "http", signingSecret: "${SIG}" } } },
      { SLACK_BOT_TOKEN: "xoxb-1", SIG: "s" },
    );
    expect(ok).toEqual([
      expect.objectContaining({ present: true, note: "from $SLACK_BOT_TOKEN, channels.slack.signingSecret" }),
    ]);
  });

  it("takes the Discord token from config or DISCORD_BOT_TOKEN", async () => {
    expect((await check({ channels: { discord: {} } }, { DISCORD_BOT_TOKEN: "t" }))[0]).toMatchObject({
      present: true,
    });
    expect((await check({ channels: { discord: {} } }))[0]).toMatchObject({ present: false });
  });
});
