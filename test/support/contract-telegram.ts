import { TelegramAdapter } from "../../src/channels/telegram/index.js";
import type { ContractHarness, ContractMessageOptions, ContractUser } from "./channel-contract.js";
import { FakeTelegram, type UserMessageInput } from "./fake-telegram.js";

const BOT = { token: "123456:ContractTokenContractTokenContract00", id: 123456, username: "holdfast_contract_bot" };
const GROUP = { id: -1001, type: "supergroup" as const, title: "contract group" };

/** The Telegram adapter (grammY) against {@link FakeTelegram}, for the adapter contract. */
export function telegramHarness(): ContractHarness {
  let fake: FakeTelegram;
  let last: Awaited<ReturnType<FakeTelegram["userSends"]>>["update"] | undefined;
  const deliver = async (input: UserMessageInput) => void ({ update: last } = await fake.userSends(BOT.token, input));
  const alice: ContractUser = { id: "1001", name: "Alice" };
  const bob: ContractUser = { id: "1002", name: "Bob" };
  const shape = (user: ContractUser, text: string, o: ContractMessageOptions = {}): UserMessageInput => {
    const mention = o.mentionBot ? `@${BOT.username}` : o.mentionUser ? `@user${o.mentionUser.id}` : undefined;
    const body = mention ? `${mention} ${text}` : text;
    return {
      from: { id: Number(user.id), first_name: user.name },
      ...(o.file ? { caption: body } : { text: body }),
      ...(mention ? { entities: [{ type: "mention", offset: 0, length: mention.length }] } : {}),
      ...(o.replyToBot ? { replyToMessageId: Number(o.replyToBot), replyToBot: true } : {}),
      ...(o.file
        ? { document: { file_id: `f-${o.file.name}`, file_size: o.file.bytes.length, file_name: o.file.name } }
        : {}),
    };
  };
  const withFile = (o?: ContractMessageOptions) => {
    if (o?.file) fake.addFile(`f-${o.file.name}`, o.file.bytes, `documents/${o.file.name}`);
  };
  return {
    channel: "telegram",
    textLimit: 4096,
    alice,
    bob,
    groupChatId: String(GROUP.id),
    setup: async () => void (fake = await FakeTelegram.start([BOT])),
    teardown: () => fake.close(),
    createAdapter: (deps) =>
      new TelegramAdapter(
        {
          accountId: "default",
          configPath: "channels.telegram",
          config: {},
          token: BOT.token,
          apiRoot: fake.url,
          mode: "polling",
          pollingTimeoutSec: 1,
          requestTimeoutSec: 60,
          textLimit: 4096,
        },
        deps,
      ),
    waitReceiving: () => fake.waitForPoll(BOT.token),
    connections: () => fake.calls.filter((c) => c.method === "getMe").length,
    dmTargets: (u) => [u.id, `telegram:${u.id}`],
    dmChatId: (u) => u.id,
    sendDm: async (u, text, o) => {
      withFile(o);
      await deliver(shape(u, text, o));
    },
    sendGroup: async (u, text, o) => {
      withFile(o);
      await deliver({ ...shape(u, text, o), chat: GROUP });
    },
    // Telegram hands an update out again only while its offset is unconfirmed; the adapter asks with
    // the offset it stored with the update, so the platform's retry must not reach the sink.
    redeliverLast: async () => void (await fake.deliver(BOT.token, last as NonNullable<typeof last>)),
    sendBotMessages: async (text) => {
      await fake.userSends(BOT.token, { from: { id: BOT.id, is_bot: true, first_name: "me" }, chat: GROUP, text });
      await fake.userSends(BOT.token, { from: { id: 999, is_bot: true, first_name: "other bot" }, chat: GROUP, text });
    },
    sentTo: (chatId) =>
      fake.sent
        .filter((s) => s.chatId === chatId)
        .map((s) => ({ text: s.text, ...(s.replyTo !== undefined ? { replyTo: String(s.replyTo) } : {}) })),
    sentCount: () => fake.sent.length,
    dropConnection: async (refuse) => fake.dropPolls(refuse),
  };
}
