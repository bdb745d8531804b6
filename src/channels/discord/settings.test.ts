import { describe, expect, it } from "vitest";
import type { HoldfastConfig } from "../../config/index.js";
import { normalizeDiscordMessage, type DiscordMessageFacts } from "./normalize.js";
import { resolveDiscordAccounts } from "./settings.js";

const TOKEN = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.GhXyZw.abcdefghijklmnopqrstuvwx";
const src = (config: HoldfastConfig, secrets: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) => ({
  config,
  secrets: { get: (p: string) => secrets[p] },
  env,
});

describe("Discord account settings", () => {
  it("takes the token from token or DISCORD_BOT_TOKEN and requests only the intents the settings need", () => {
    const [a] = resolveDiscordAccounts(src({ channels: { discord: {} } }, {}, { DISCORD_BOT_TOKEN: `Bot ${TOKEN}` }));
    expect(a).toMatchObject({
      token: TOKEN,
      apiRoot: "https://discord.com/api",
      textLimit: 2000,
      intents: ["Guilds", "GuildMessages", "DirectMessages", "MessageContent"],
    });
    const [b] = resolveDiscordAccounts(
      src(
        { channels: { discord: { dmPolicy: "disabled", apiRoot: "http://127.0.0.1:9/api/" } } },
        { "channels.discord.token": TOKEN },
      ),
    );
    expect(b).toMatchObject({
      apiRoot: "http://127.0.0.1:9/api",
      intents: ["Guilds", "GuildMessages", "MessageContent"],
    });
    const [c] = resolveDiscordAccounts(
      src({ channels: { discord: { groupPolicy: "disabled" } } }, { "channels.discord.token": TOKEN }),
    );
    expect(c?.intents).toEqual(["Guilds", "DirectMessages", "MessageContent"]);
  });

  it("refuses a missing or malformed token, naming the key and never the value", () => {
    expect(() => resolveDiscordAccounts(src({ channels: { discord: {} } }))).toThrow(
      /channels\.discord\.token: no bot token/,
    );
    let message = "";
    try {
      resolveDiscordAccounts(
        src({ channels: { discord: {} } }, { "channels.discord.token": "has spaces in-the-secret-value" }),
      );
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("does not look like a Discord bot token");
    expect(message).not.toContain("secret-value");
  });
});

describe("Discord messages", () => {
  const ctx = { botId: "11000", accountId: "default", now: 1 };
  const facts = (over: Partial<DiscordMessageFacts> = {}): DiscordMessageFacts => ({
    id: "9001",
    type: 0,
    content: "hi",
    authorId: "1200",
    authorBot: false,
    system: false,
    guildId: "1300",
    channelId: "1400",
    isDm: false,
    mentionsEveryone: false,
    mentionedRoleIds: [],
    attachments: [],
    ...over,
  });

  it("counts <@bot> and <@!bot> as mentions; role mentions, @everyone and others' mentions are not the bot", () => {
    expect(normalizeDiscordMessage(facts({ content: "<@11000> hi" }), ctx)).toMatchObject({
      mentionsBot: true,
      guildId: "1300",
    });
    expect(normalizeDiscordMessage(facts({ content: "<@!11000> hi" }), ctx)?.mentionsBot).toBe(true);
    expect(normalizeDiscordMessage(facts({ content: "<@&11000> hi" }), ctx)).toMatchObject({
      mentionsBot: false,
      hasAnyMention: true,
    });
    expect(normalizeDiscordMessage(facts({ content: "hi all", mentionsEveryone: true }), ctx)).toMatchObject({
      mentionsBot: false,
      hasAnyMention: true,
    });
    expect(normalizeDiscordMessage(facts({ content: "<@12345> look" }), ctx)).toMatchObject({
      mentionsBot: false,
      hasAnyMention: true,
    });
  });

  it("drops bots, webhooks, system messages and non-message types; threads belong to their parent channel", () => {
    expect(normalizeDiscordMessage(facts({ authorBot: true }), ctx)).toBeUndefined();
    expect(normalizeDiscordMessage(facts({ authorId: "11000" }), ctx)).toBeUndefined();
    expect(normalizeDiscordMessage(facts({ webhookId: "5" }), ctx)).toBeUndefined();
    expect(normalizeDiscordMessage(facts({ type: 7 }), ctx)).toBeUndefined();
    expect(normalizeDiscordMessage(facts({ system: true }), ctx)).toBeUndefined();
    expect(normalizeDiscordMessage(facts({ channelId: "1500", threadParentId: "1400" }), ctx)).toMatchObject({
      chatId: "1400",
      threadId: "1500",
    });
    expect(
      normalizeDiscordMessage(facts({ type: 19, reference: { messageId: "8", authorId: "11000" } }), ctx),
    ).toMatchObject({
      replyToBot: true,
      mentionsBot: false,
      replyTo: { messageId: "8", senderId: "11000" },
    });
    expect(normalizeDiscordMessage(facts({ guildId: undefined, isDm: true }), ctx)?.chatType).toBe("direct");
  });
});
