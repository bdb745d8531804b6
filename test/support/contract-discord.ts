import { DiscordAdapter } from "../../src/channels/discord/index.js";
import type { ContractHarness, ContractMessageOptions, ContractUser } from "./channel-contract.js";
import { FakeDiscord, type DiscordUserMessage, type FakeDiscordUser, type FakeGuild } from "./fake-discord.js";

/** The bot under test in the Discord fakes. */
export const DISCORD_BOT = {
  id: "1100000000000000001",
  username: "holdfast",
  token: "MTEwMDAwMDAwMDAwMDAwMDAwMQ.GhXyZw.ContractTokenContractTokenContract00",
};
/** A guild with two channels and a thread, the bot's managed role included. */
export const DISCORD_GUILD: FakeGuild = {
  id: "1300000000000000001",
  name: "contract guild",
  channels: [
    { id: "1400000000000000001", name: "general" },
    { id: "1400000000000000002", name: "random" },
  ],
  threads: [{ id: "1500000000000000001", parentId: "1400000000000000001", name: "a thread" }],
  botRoleId: "1600000000000000001",
};

/** The Discord adapter (discord.js) against {@link FakeDiscord}, for the adapter contract. */
export function discordHarness(): ContractHarness {
  let fake: FakeDiscord;
  let last: Record<string, unknown> | undefined;
  const alice: FakeDiscordUser & ContractUser = {
    id: "1200000000000000001",
    username: "alice",
    globalName: "Alice",
    name: "Alice",
  };
  const bob: FakeDiscordUser & ContractUser = {
    id: "1200000000000000002",
    username: "bob",
    globalName: "Bob",
    name: "Bob",
  };
  const author = (u: ContractUser) => (u.id === alice.id ? alice : bob);
  const group = DISCORD_GUILD.channels[0]?.id as string;
  const shape = (user: ContractUser, text: string, o: ContractMessageOptions = {}): DiscordUserMessage => {
    const mention = o.mentionBot ? `<@${DISCORD_BOT.id}> ` : o.mentionUser ? `<@${o.mentionUser.id}> ` : "";
    return {
      author: author(user),
      content: `${mention}${text}`,
      ...(o.replyToBot ? { replyTo: o.replyToBot } : {}),
      ...(o.file
        ? {
            attachments: [
              { id: "1700000000000000001", filename: o.file.name, contentType: o.file.mimeType, bytes: o.file.bytes },
            ],
          }
        : {}),
    };
  };
  return {
    channel: "discord",
    textLimit: 2000,
    alice,
    bob,
    groupChatId: group,
    setup: async () => {
      fake = await FakeDiscord.start({
        bot: DISCORD_BOT,
        users: [alice, bob],
        guilds: [DISCORD_GUILD],
        heartbeatMs: 1000,
      });
    },
    teardown: () => fake.close(),
    createAdapter: (deps) =>
      new DiscordAdapter(
        {
          accountId: "default",
          configPath: "channels.discord",
          access: {},
          token: DISCORD_BOT.token,
          apiRoot: fake.apiRoot,
          intents: ["Guilds", "GuildMessages", "DirectMessages", "MessageContent"],
          textLimit: 2000,
        },
        deps,
      ),
    waitReceiving: () => fake.waitConnected(),
    connections: () => fake.connections,
    dmTargets: (u) => [`user:${u.id}`, `<@${u.id}>`, `<@!${u.id}>`, fake.dmOf(u.id)],
    dmChatId: (u) => fake.dmOf(u.id),
    sendDm: async (u, text, o) => void (last = fake.userSends(shape(u, text, o))),
    sendGroup: async (u, text, o) => void (last = fake.userSends({ ...shape(u, text, o), channelId: group })),
    redeliverLast: async () => fake.redispatch(last as Record<string, unknown>),
    sendBotMessages: async (text) => {
      fake.userSends({ author: { ...DISCORD_BOT, bot: true }, channelId: group, content: text });
      fake.userSends({
        author: { id: "1800000000000000001", username: "otherbot", bot: true },
        channelId: group,
        content: text,
      });
    },
    sentTo: (chatId) =>
      fake.sent.items
        .filter((s) => s.channelId === chatId)
        .map((s) => ({ text: s.content, ...(s.replyTo ? { replyTo: s.replyTo } : {}) })),
    sentCount: () => fake.sent.items.length,
    dropConnection: async (refuse) => fake.drop(refuse),
  };
}
