import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DisconnectReason, type WAMessage } from "baileys";
import { WhatsAppAdapter, type WhatsAppAccountSettings } from "../../src/channels/whatsapp/index.js";
import type { ContractHarness, ContractMessageOptions, ContractUser } from "./channel-contract.js";
import { FakeWhatsApp, jidOf, linkedCredsJson, WA_BOT, type FakeWaUser } from "./fake-baileys.js";

/** The group the bot is in. */
export const WA_GROUP = "120363000000000001@g.us";
/** A WhatsApp bot account (Meta AI style `…@bot` jid). */
const OTHER_BOT = "867051314767696@bot";

/** A fresh auth dir holding a linked session (`creds.json`, 600 in 700). */
export function linkedAuthDir(): string {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), "hf-wa-auth-")), "credentials", "whatsapp", "default");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(path.join(dir, "creds.json"), linkedCredsJson(), { mode: 0o600 });
  return dir;
}

/** Adapter settings for account `default` over `authDir`. */
export function waSettings(authDir: string, extra: Partial<WhatsAppAccountSettings> = {}): WhatsAppAccountSettings {
  return {
    accountId: "default",
    configPath: "channels.whatsapp",
    access: {},
    authDir,
    selfChatMode: false,
    sendReadReceipts: false,
    textLimit: 4000,
    ...extra,
  };
}

/** The WhatsApp adapter (Baileys' types and event shapes) against {@link FakeWhatsApp}, for the adapter contract. */
export function whatsappHarness(): ContractHarness {
  let fake: FakeWhatsApp;
  let authDir: string;
  const alice: FakeWaUser & ContractUser = { number: "+15551230001", id: "+15551230001", name: "Alice" };
  const bob: FakeWaUser & ContractUser = { number: "+15551230002", id: "+15551230002", name: "Bob" };
  const user = (u: ContractUser) => (u.id === alice.id ? alice : bob);
  const shape = (u: ContractUser, text: string, o: ContractMessageOptions = {}, group?: string) => ({
    from: user(u),
    text,
    ...(group ? { group } : {}),
    ...(o.mentionBot ? { mentions: [WA_BOT.jid] } : o.mentionUser ? { mentions: [jidOf(o.mentionUser.id)] } : {}),
    ...(o.replyToBot ? { quote: { id: o.replyToBot, participant: WA_BOT.jid } } : {}),
    ...(o.file ? { file: o.file } : {}),
  });
  return {
    channel: "whatsapp",
    textLimit: 4000,
    alice,
    bob,
    groupChatId: WA_GROUP,
    setup: async () => {
      fake = new FakeWhatsApp();
      authDir = linkedAuthDir();
    },
    teardown: async () => {
      for (const s of fake.sockets) s.close(DisconnectReason.connectionClosed, "Connection Closed");
    },
    createAdapter: (deps) => new WhatsAppAdapter(waSettings(authDir), { ...deps, connector: fake.connector }),
    waitReceiving: () => fake.waitOpen(),
    connections: () => fake.connections,
    dmTargets: (u) => [u.id, jidOf(u.id), `whatsapp:${u.id}`],
    dmChatId: (u) => jidOf(u.id),
    sendDm: async (u, text, o) => void fake.userSends(shape(u, text, o)),
    sendGroup: async (u, text, o) => void fake.userSends(shape(u, text, o, WA_GROUP)),
    redeliverLast: async () => fake.redeliverLast(),
    sendBotMessages: async (text) => {
      const own: WAMessage = {
        key: { remoteJid: WA_GROUP, fromMe: true, id: "3EB0OWN00000001", participant: WA_BOT.jid },
        message: { conversation: text },
      };
      fake.deliver(own);
      fake.deliver({
        key: { remoteJid: WA_GROUP, fromMe: false, id: "3EB0BOT00000001", participant: OTHER_BOT },
        message: { conversation: text },
        pushName: "Meta AI",
      });
    },
    sentTo: (chatId) =>
      fake.sentTo(chatId).map((s) => ({ text: s.text, ...(s.quotedId ? { replyTo: s.quotedId } : {}) })),
    sentCount: () => fake.sent.length,
    dropConnection: async (refuse) => fake.drop(refuse),
  };
}
