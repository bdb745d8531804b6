import { createServer, type Server } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";
import { BlueBubblesAdapter } from "../../src/channels/bluebubbles/index.js";
import type { ContractHarness, ContractMessageOptions, ContractUser } from "./channel-contract.js";
import { closeServer, listenLoopback } from "./fake-platform.js";
import { FakeBlueBubbles, type BlueBubblesUserMessage, type FakeBlueBubblesUser } from "./fake-bluebubbles.js";

export const BB_PASSWORD = "bb-contract-password-Zq8";
export const BB_SELF = "holdfast.bot@icloud.example";
export const BB_GROUP = "iMessage;+;chat493827104";
export const BB_WEBHOOK = {
  basePath: "/bluebubbles-webhook",
  path: "/bluebubbles-webhook/k3J9x-Qw2_Lm8Np4Rt6Vy1Zb5Cd7Fg0H",
};
export const BB_ALICE: FakeBlueBubblesUser = { address: "+15550001111", name: "Alice" };
export const BB_BOB: FakeBlueBubblesUser = { address: "bob@example.com", name: "Bob" };

/**
 * The BlueBubbles adapter against {@link FakeBlueBubbles}, for the adapter contract: the adapter's
 * webhook route is served by a loopback Hono server the fake posts to.
 */
export function blueBubblesHarness(): ContractHarness {
  let fake: FakeBlueBubbles;
  let hooks: Server;
  let app = new Hono();
  const users = [BB_ALICE, BB_BOB];
  const userOf = (u: ContractUser) => users.find((x) => x.address === u.id) as FakeBlueBubblesUser;
  const alice: ContractUser = { id: BB_ALICE.address, name: BB_ALICE.name };
  const bob: ContractUser = { id: BB_BOB.address, name: BB_BOB.name };
  const shape = (u: ContractUser, text: string, o: ContractMessageOptions = {}): BlueBubblesUserMessage => ({
    from: userOf(u),
    text,
    ...(o.mentionBot ? { mentions: [BB_SELF] } : o.mentionUser ? { mentions: [o.mentionUser.id] } : {}),
    ...(o.replyToBot ? { replyTo: o.replyToBot } : {}),
    ...(o.file ? { attachment: { name: o.file.name, mimeType: o.file.mimeType, bytes: o.file.bytes } } : {}),
  });
  return {
    channel: "bluebubbles",
    textLimit: 4000,
    alice,
    bob,
    groupChatId: BB_GROUP,
    setup: async () => {
      fake = await FakeBlueBubbles.start({ password: BB_PASSWORD, self: BB_SELF, users });
      const listener = getRequestListener((req) => app.fetch(req));
      hooks = createServer((req, res) => void listener(req, res));
      fake.webhookUrl = `${await listenLoopback(hooks)}${BB_WEBHOOK.path}`;
    },
    teardown: async () => {
      await closeServer(hooks);
      await fake.close();
    },
    createAdapter: (deps) => {
      const adapter = new BlueBubblesAdapter(
        {
          accountId: "default",
          configPath: "channels.bluebubbles",
          access: {},
          serverUrl: fake.url,
          password: BB_PASSWORD,
          webhook: BB_WEBHOOK,
          textLimit: 4000,
        },
        deps,
        { pingMs: 100 },
      );
      app = new Hono();
      adapter.publicRoutes(app);
      return adapter;
    },
    waitReceiving: () => fake.waitConnected(),
    connections: () => fake.connections,
    dmTargets: (u) => [u.id, `imessage:${u.id}`, fake.dmOf(userOf(u)), `chat_guid:${fake.dmOf(userOf(u))}`],
    dmChatId: (u) => fake.dmOf(userOf(u)),
    sendDm: async (u, text, o) => void (await fake.userSends(shape(u, text, o))),
    sendGroup: async (u, text, o) => void (await fake.userSends({ ...shape(u, text, o), chatGuid: BB_GROUP })),
    redeliverLast: () => fake.redeliverLast(),
    sendBotMessages: async (text) => {
      await fake.botMessage(BB_GROUP, text);
      await fake.userSends({ from: BB_ALICE, text, chatGuid: BB_GROUP, tapbackOn: "SOME-GUID" });
      await fake.event("typing-indicator", { display: true, guid: BB_GROUP });
      await fake.event("chat-read-status-changed", { chatGuid: BB_GROUP, read: true });
    },
    sentTo: (chatId) =>
      fake.sent.items
        .filter((s) => s.chatGuid === chatId)
        .map((s) => ({ text: s.message, ...(s.selectedMessageGuid ? { replyTo: s.selectedMessageGuid } : {}) })),
    sentCount: () => fake.sent.items.length,
    dropConnection: async (refuse) => fake.drop(refuse),
  };
}
