import { SignalAdapter } from "../../src/channels/signal/index.js";
import type { ContractHarness, ContractMessageOptions, ContractUser } from "./channel-contract.js";
import { FakeSignal, type FakeSignalUser, type SignalUserMessage } from "./fake-signal.js";

/** The bot's Signal account in the fakes. */
export const SIGNAL_BOT = { uuid: "0b0b0b0b-1111-4222-8333-444444444444", number: "+15550000001", name: "holdfast" };
/** A v2 group id: base64 with upper- and lowercase letters (kept exactly). */
export const SIGNAL_GROUP = "Pmpi+EfPWmsxiomLe9Nx2XF9HOE483p6iKiFj65iMwI=";
export const SIGNAL_ALICE: FakeSignalUser = {
  uuid: "a11ce000-0000-4000-8000-000000000001",
  number: "+15550001111",
  name: "Alice",
};
/** Bob hides his number: he is known by his uuid only. */
export const SIGNAL_BOB: FakeSignalUser = { uuid: "b0b00000-0000-4000-8000-000000000002", name: "Bob" };

/** The sender id holdfast uses for a fake user. */
export const signalIdOf = (u: FakeSignalUser): string => u.number ?? `uuid:${u.uuid}`;

/** The Signal adapter (signal-cli JSON-RPC + SSE) against {@link FakeSignal}, for the adapter contract. */
export function signalHarness(): ContractHarness {
  let fake: FakeSignal;
  const users = [SIGNAL_ALICE, SIGNAL_BOB];
  const alice: ContractUser = { id: signalIdOf(SIGNAL_ALICE), name: "Alice" };
  const bob: ContractUser = { id: signalIdOf(SIGNAL_BOB), name: "Bob" };
  const userOf = (u: ContractUser) => users.find((x) => signalIdOf(x) === u.id) as FakeSignalUser;
  const shape = (u: ContractUser, text: string, o: ContractMessageOptions = {}): SignalUserMessage => {
    const quote = o.replyToBot ? /^(\d+):/.exec(o.replyToBot)?.[1] : undefined;
    return {
      from: userOf(u),
      text,
      ...(o.mentionBot ? { mentions: [SIGNAL_BOT] } : o.mentionUser ? { mentions: [userOf(o.mentionUser)] } : {}),
      ...(quote ? { quote: { timestamp: Number(quote), author: SIGNAL_BOT } } : {}),
      ...(o.file ? { attachment: { filename: o.file.name, contentType: o.file.mimeType, bytes: o.file.bytes } } : {}),
    };
  };
  return {
    channel: "signal",
    textLimit: 4000,
    alice,
    bob,
    groupChatId: SIGNAL_GROUP,
    setup: async () => {
      fake = await FakeSignal.start(SIGNAL_BOT, [
        { id: SIGNAL_GROUP, name: "contract group", members: [SIGNAL_BOT.number, SIGNAL_ALICE.number as string] },
      ]);
    },
    teardown: () => fake.close(),
    createAdapter: (deps) =>
      new SignalAdapter(
        {
          accountId: "default",
          configPath: "channels.signal",
          access: {},
          account: SIGNAL_BOT.number,
          httpUrl: fake.url,
          textLimit: 4000,
        },
        deps,
      ),
    waitReceiving: () => fake.waitConnected(),
    connections: () => fake.connections,
    dmTargets: (u) => {
      const x = userOf(u);
      return x.number ? [x.number, `signal:${x.number}`] : [`uuid:${x.uuid}`, `signal:uuid:${x.uuid}`, x.uuid];
    },
    dmChatId: (u) => u.id,
    sendDm: async (u, text, o) => void fake.userSends(shape(u, text, o)),
    sendGroup: async (u, text, o) => void fake.userSends({ ...shape(u, text, o), groupId: SIGNAL_GROUP }),
    redeliverLast: async () => fake.redeliverLast(),
    sendBotMessages: async (text) => {
      const bot = { uuid: SIGNAL_BOT.uuid, number: SIGNAL_BOT.number, name: SIGNAL_BOT.name };
      fake.userSends({ from: bot, text, groupId: SIGNAL_GROUP });
      fake.emitEnvelope({
        source: SIGNAL_BOT.number,
        sourceNumber: SIGNAL_BOT.number,
        sourceUuid: SIGNAL_BOT.uuid,
        timestamp: Date.now(),
        syncMessage: {
          sentMessage: {
            destination: null,
            timestamp: Date.now(),
            message: text,
            groupInfo: { groupId: SIGNAL_GROUP, type: "DELIVER" },
          },
        },
      });
      fake.emitEnvelope({
        source: SIGNAL_ALICE.number,
        sourceNumber: SIGNAL_ALICE.number,
        sourceUuid: SIGNAL_ALICE.uuid,
        timestamp: Date.now(),
        typingMessage: { action: "STARTED", timestamp: Date.now(), groupId: SIGNAL_GROUP },
      });
    },
    sentTo: (chatId) =>
      fake.sent.items
        .filter((s) => (s.groupId ?? (s.recipient?.startsWith("+") ? s.recipient : `uuid:${s.recipient}`)) === chatId)
        .map((s) => ({
          text: s.message,
          ...(s.quoteTimestamp ? { replyTo: `${s.quoteTimestamp}:${s.quoteAuthor}` } : {}),
        })),
    sentCount: () => fake.sent.items.length,
    dropConnection: async (refuse) => fake.drop(refuse),
    unsupported: {},
  };
}
