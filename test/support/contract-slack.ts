import { SlackAdapter } from "../../src/channels/slack/index.js";
import type { ContractHarness, ContractMessageOptions, ContractUser } from "./channel-contract.js";
import { FakeSlack, type FakeSlackApp, type SlackUserMessage } from "./fake-slack.js";

/** The app under test in the Slack fakes. */
export const SLACK_APP: FakeSlackApp = {
  botToken: "xoxb-1111-2222-ContractBotTokenValue",
  appToken: "xapp-1-A0FAKE-3333-ContractAppTokenValue",
  botUserId: "U0HOLDBOT",
  botId: "B0HOLDBOT",
  name: "holdfast",
};

/** The Slack adapter (Bolt, Socket Mode) against {@link FakeSlack}, for the adapter contract. */
export function slackHarness(): ContractHarness {
  let fake: FakeSlack;
  const alice: ContractUser = { id: "U0ALICE01", name: "Alice" };
  const bob: ContractUser = { id: "U0BOB0001", name: "Bob" };
  const group = "C0GROUP01";
  const shape = (user: ContractUser, text: string, o: ContractMessageOptions = {}): SlackUserMessage => {
    const mention = o.mentionBot ? `<@${SLACK_APP.botUserId}> ` : o.mentionUser ? `<@${o.mentionUser.id}> ` : "";
    return {
      user: user.id,
      text: `${mention}${text}`,
      ...(o.replyToBot ? { threadTs: o.replyToBot, parentIsBot: true } : {}),
      ...(o.file
        ? {
            files: [
              { id: `F0${o.file.name.length}X`, name: o.file.name, mimetype: o.file.mimeType, bytes: o.file.bytes },
            ],
          }
        : {}),
    };
  };
  return {
    channel: "slack",
    textLimit: 4000,
    alice,
    bob,
    groupChatId: group,
    setup: async () => {
      fake = await FakeSlack.start(SLACK_APP, [
        { id: alice.id, name: "alice", displayName: alice.name },
        { id: bob.id, name: "bob", displayName: bob.name },
      ]);
    },
    teardown: () => fake.close(),
    createAdapter: (deps) =>
      new SlackAdapter(
        {
          accountId: "default",
          configPath: "channels.slack",
          access: {},
          botToken: SLACK_APP.botToken,
          appToken: SLACK_APP.appToken,
          mode: "socket",
          apiUrl: fake.apiUrl,
          textLimit: 4000,
        },
        deps,
      ),
    waitReceiving: () => fake.waitForSocket(),
    connections: () => fake.connectionsOpened,
    dmTargets: (u) => [u.id, `user:${u.id}`, `<@${u.id}>`, fake.dmOf(u.id)],
    dmChatId: (u) => fake.dmOf(u.id),
    sendDm: async (u, text, o) => void (await fake.userSends(shape(u, text, o))),
    sendGroup: async (u, text, o) => void (await fake.userSends({ ...shape(u, text, o), channel: group })),
    redeliverLast: async () => fake.redeliverLast(),
    sendBotMessages: async (text) => {
      await fake.userSends({ user: SLACK_APP.botUserId, botId: SLACK_APP.botId, channel: group, text });
      await fake.userSends({ user: "U0OTHERBOT", botId: "B0OTHER", subtype: "bot_message", channel: group, text });
    },
    sentTo: (chatId) =>
      fake.sent.items
        .filter((s) => s.channel === chatId)
        .map((s) => ({ text: s.text, ...(s.threadTs ? { replyTo: s.threadTs } : {}) })),
    sentCount: () => fake.sent.items.length,
    dropConnection: async (refuse) => fake.dropSockets(refuse),
  };
}
