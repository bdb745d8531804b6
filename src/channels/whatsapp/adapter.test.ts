import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DisconnectReason } from "baileys";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { captureLogger, instantClock } from "../../../test/support/capture-log.js";
import { linkedAuthDir, waSettings, WA_GROUP } from "../../../test/support/contract-whatsapp.js";
import { EchoRuns, memoryChannelDeps, testCommands } from "../../../test/support/fake-channel.js";
import { FakeWhatsApp, jidOf, WA_BOT } from "../../../test/support/fake-baileys.js";
import { channelState, tempStateDir } from "../../../test/support/temp-state.js";
import { answerWorking } from "../../../test/support/typing-replies.js";
import { PairingStore } from "../../access/index.js";
import { systemClock } from "../../infra/index.js";
import type { InboundMessage } from "../adapter.js";
import { createChannelService, type AccountSettings, type ChannelService } from "../index.js";
import { WhatsAppAdapter } from "./adapter.js";
import type { WhatsAppAccountSettings } from "./settings.js";

const STRANGER = { number: "+15557770001", name: "Stranger", lid: "80000000001@lid" };
const OWNER_FRIEND = { number: "+15557770002", name: "Friend" };

const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!cond()) throw new Error(`timed out: ${what}`);
};
const settle = () => new Promise((r) => setTimeout(r, 150));

describe("WhatsApp access control through the adapter seam (channel service + fake Baileys socket)", () => {
  let fake: FakeWhatsApp;
  let dir: string;
  let runs: EchoRuns;
  let service: ChannelService | undefined;
  let cap: ReturnType<typeof captureLogger>;

  const start = async (access: AccountSettings, extra: Partial<WhatsAppAccountSettings> = {}) => {
    dir = await mkdtemp(path.join(os.tmpdir(), "hf-wa-flow-"));
    runs = new EchoRuns();
    cap = captureLogger();
    const adapter = new WhatsAppAdapter(waSettings(linkedAuthDir(), { access, ...extra }), {
      log: cap.log,
      clock: instantClock,
      queues: channelState(dir, "whatsapp").queues,
      connector: fake.connector,
    });
    service = await createChannelService(
      memoryChannelDeps({
        dir,
        config: {},
        log: cap.log,
        runs,
        commands: testCommands().registry,
        adapter,
        settings: access,
      }),
    );
    await service.start();
    await fake.waitOpen();
    await until(() => adapter.status().state === "running", "running");
    return adapter;
  };
  const pairing = () => new PairingStore(path.join(dir, "credentials"), "whatsapp", systemClock);
  // (service.flush() is for shutdown: it stops the outbox senders.)
  const flush = () => new Promise((r) => setTimeout(r, 300));

  beforeEach(() => {
    fake = new FakeWhatsApp();
  });
  afterEach(async () => {
    await service?.stop();
    service = undefined;
  });

  it("unknown sender → one pairing message → approve → reply", async () => {
    await start({ dmPolicy: "pairing" });
    fake.userSends({ from: STRANGER, text: "hello?" });
    fake.userSends({ from: STRANGER, text: "hello again?" });
    await flush();
    const dm = jidOf(STRANGER.number);
    expect(fake.sentTo(dm)).toHaveLength(1);
    const text = fake.sentTo(dm)[0]?.text ?? "";
    expect(text).toContain("Your WhatsApp user id: +15557770001");
    const code = /holdfast pairing approve whatsapp ([A-Z0-9]{8})/.exec(text)?.[1] as string;
    expect(code).toMatch(/^[A-Z2-9]{8}$/);
    expect(runs.started).toHaveLength(0);

    await pairing().approve(code);
    fake.userSends({ from: STRANGER, text: "now?" });
    await until(() => fake.sentTo(dm).length === 2, "the reply");
    expect(fake.sentTo(dm)[1]?.text).toBe("echo: now?");
    expect(runs.started[0]).toMatchObject({
      sessionKey: "agent:main:whatsapp:direct:+15557770001",
      sender: { channel: "whatsapp", id: "+15557770001", name: "Stranger", chatType: "direct" },
    });
  });

  it("a pairing approval never admits the sender in a group", async () => {
    await start({ dmPolicy: "pairing", groupPolicy: "allowlist", groups: { [WA_GROUP]: { requireMention: true } } });
    fake.userSends({ from: STRANGER, text: "hi" });
    await flush();
    const code = /approve whatsapp ([A-Z0-9]{8})/.exec(fake.sent[0]?.text ?? "")?.[1] as string;
    await pairing().approve(code);
    fake.userSends({ from: STRANGER, text: "hey bot", group: WA_GROUP, mentions: [WA_BOT.jid] });
    await flush();
    expect(fake.sentTo(WA_GROUP)).toHaveLength(0);
    expect(runs.started).toHaveLength(0);
  });

  it("allowlist mode never sends pairing codes and ignores pairing approvals", async () => {
    await start({ dmPolicy: "pairing" });
    fake.userSends({ from: STRANGER, text: "hi" });
    await flush();
    const code = /approve whatsapp ([A-Z0-9]{8})/.exec(fake.sent[0]?.text ?? "")?.[1] as string;
    await pairing().approve(code);
    await service?.stop();
    fake.sent.length = 0;
    const pairingDir = dir;
    const adapter = new WhatsAppAdapter(waSettings(linkedAuthDir(), { access: {} }), {
      log: cap.log,
      clock: instantClock,
      queues: channelState(pairingDir, "whatsapp").queues,
      connector: fake.connector,
    });
    const access: AccountSettings = { dmPolicy: "allowlist", allowFrom: ["+1 (555) 123-0001"] };
    service = await createChannelService(
      memoryChannelDeps({
        dir: pairingDir,
        config: {},
        log: cap.log,
        runs,
        commands: testCommands().registry,
        adapter,
        settings: access,
      }),
    );
    await service.start();
    await until(() => adapter.status().state === "running", "running");
    fake.userSends({ from: STRANGER, text: "approved before: am I in?" });
    fake.userSends({ from: OWNER_FRIEND, text: "a stranger on a personal number" });
    fake.userSends({ from: { number: "+15551230001", name: "Alice" }, text: "listed" });
    await until(() => fake.sent.length >= 1, "the reply to the listed sender");
    await flush();
    expect(fake.sent.map((s) => [s.jid, s.text])).toEqual([["15551230001@s.whatsapp.net", "echo: listed"]]);
  });

  it("in a group: without a mention ignored; with a mention (jid or LID) or a reply to the bot answered", async () => {
    const a = await start({
      groupPolicy: "open",
      groupAllowFrom: ["*"],
      groups: { [WA_GROUP]: { requireMention: true } },
    });
    const bob = { number: "+15551230002", name: "Bob" };
    fake.userSends({ from: bob, text: "just chatting", group: WA_GROUP });
    await flush();
    expect(fake.sentTo(WA_GROUP)).toHaveLength(0);
    const asked = fake.userSends({ from: bob, text: "@holdfast help", group: WA_GROUP, mentions: [WA_BOT.jid] });
    await until(() => fake.sentTo(WA_GROUP).length === 1, "the answer");
    expect(fake.sentTo(WA_GROUP)[0]).toMatchObject({ text: "echo: @holdfast help", quotedId: asked.key.id });
    fake.userSends({ from: bob, text: "by lid", group: WA_GROUP, mentions: [WA_BOT.lid] });
    await until(() => fake.sentTo(WA_GROUP).length === 2, "the answer to a LID mention");
    const botMsg = fake.sentTo(WA_GROUP)[0]?.id as string;
    fake.userSends({ from: bob, text: "replying", group: WA_GROUP, quote: { id: botMsg, participant: WA_BOT.jid } });
    await until(() => fake.sentTo(WA_GROUP).length === 3, "the answer to a reply");
    expect(runs.started.map((r) => r.sessionKey)).toEqual(Array(3).fill(`agent:main:whatsapp:group:${WA_GROUP}`));
    expect(a.status()).toMatchObject({ state: "running", mode: "web", botUsername: WA_BOT.number });
  });

  it("self-chat is answered only with selfChatMode; the owner's own messages to others never", async () => {
    await start({ dmPolicy: "allowlist", allowFrom: [WA_BOT.number] });
    fake.ownerWrites("note to self");
    fake.ownerWrites("hi friend", jidOf(OWNER_FRIEND.number));
    await flush();
    expect(fake.sent).toHaveLength(0);
    await service?.stop();

    await start({ dmPolicy: "allowlist", allowFrom: [WA_BOT.number] }, { selfChatMode: true });
    fake.ownerWrites("note to self");
    fake.ownerWrites("hi friend", jidOf(OWNER_FRIEND.number));
    await until(() => fake.sent.length === 1, "the self-chat answer");
    await flush();
    expect(fake.sent.map((s) => [s.jid, s.text])).toEqual([[WA_BOT.jid, "echo: note to self"]]);
    expect(runs.started).toHaveLength(1);
  });

  it("ignores status updates and broadcast lists; a LID-addressed DM is matched by its phone number", async () => {
    await start({ dmPolicy: "open", allowFrom: ["*"] });
    fake.broadcast(STRANGER, "my status");
    fake.broadcast(STRANGER, "to my list", "1234567890@broadcast");
    fake.userSends({ from: STRANGER, text: "via lid", byLid: true });
    await until(() => fake.sent.length === 1, "the answer");
    await flush();
    expect(fake.sent.map((s) => [s.jid, s.text])).toEqual([[jidOf(STRANGER.number), "echo: via lid"]]);
  });
});

describe("WhatsApp session ends", () => {
  let fake: FakeWhatsApp;
  const adapters: WhatsAppAdapter[] = [];
  const adapter = async (authDir = linkedAuthDir(), extra: Partial<WhatsAppAccountSettings> = {}) => {
    const cap = captureLogger();
    const a = new WhatsAppAdapter(waSettings(authDir, extra), {
      log: cap.log,
      clock: instantClock,
      queues: channelState(await mkdtemp(path.join(os.tmpdir(), "hf-wa-end-")), "whatsapp").queues,
      connector: fake.connector,
    });
    adapters.push(a);
    await a.start(async () => undefined);
    return { a, cap };
  };
  beforeEach(() => {
    fake = new FakeWhatsApp();
  });
  afterEach(async () => {
    for (const a of adapters.splice(0)) await a.stop();
  });

  for (const [name, status, code] of [
    ["logged out on the phone", DisconnectReason.loggedOut, "HF_CHANNEL_AUTH"],
    ["banned", DisconnectReason.forbidden, "HF_CHANNEL_AUTH"],
    ["replaced by another client", DisconnectReason.connectionReplaced, "HF_CHANNEL_CONFLICT"],
  ] as const)
    it(`${name} (${status}): one clear status and error, no reconnect loop`, async () => {
      const { a, cap } = await adapter();
      await until(() => a.status().state === "running", "running");
      fake.kick(status);
      await until(() => a.status().state === "failed", "failed");
      await settle();
      expect(fake.connections).toBe(1);
      expect(a.status()).toMatchObject({ state: "failed", errorCode: code });
      expect(cap.lines.filter((l) => l.level === 50)).toHaveLength(1);
      if (status === DisconnectReason.loggedOut)
        expect(a.status().lastError?.message).toContain("holdfast channels login --channel whatsapp");
    });

  it("a device that was never linked fails at once, without connecting or showing a QR", async () => {
    const dir = path.join(await mkdtemp(path.join(os.tmpdir(), "hf-wa-unlinked-")), "whatsapp", "work");
    const { a } = await adapter(dir, { accountId: "work" });
    await until(() => a.status().state === "failed", "failed");
    expect(fake.connections).toBe(0);
    expect(a.status().lastError?.message).toContain("holdfast channels login --channel whatsapp --account work");
  });

  it("restartRequired reconnects at once; read receipts only with sendReadReceipts", async () => {
    const { a } = await adapter(undefined, { sendReadReceipts: true });
    await until(() => a.status().state === "running", "running");
    fake.kick(DisconnectReason.restartRequired);
    await until(() => fake.connections === 2 && fake.current() !== undefined, "reconnected");
    const m = fake.userSends({ from: STRANGER, text: "read me" });
    await until(() => fake.read.length === 1, "a read receipt");
    expect(fake.read).toEqual([m.key.id]);
  });
});

describe("WhatsApp typing indicator from the reply path", () => {
  let fake: FakeWhatsApp;
  let adapter: WhatsAppAdapter;
  const got: InboundMessage[] = [];

  beforeEach(async () => {
    got.length = 0;
    fake = new FakeWhatsApp();
    adapter = new WhatsAppAdapter(waSettings(linkedAuthDir()), {
      log: captureLogger().log,
      clock: instantClock,
      queues: channelState(tempStateDir("hf-wa-typing-").stateDir, "whatsapp").queues,
      connector: fake.connector,
    });
    await adapter.start(async (m) => void got.push(m));
    await fake.waitOpen();
    await until(() => adapter.status().state === "running", "running");
  });
  afterEach(() => adapter.stop());

  it("shows typing (composing) in a DM and in a group while a run works, then replies", async () => {
    fake.userSends({ from: OWNER_FRIEND, text: "hello" });
    fake.userSends({ from: STRANGER, text: "@holdfast hi all", group: WA_GROUP, mentions: [WA_BOT.jid] });
    await until(() => got.length === 2, "both messages");
    for (const m of got) await answerWorking(adapter, m);
    const dm = jidOf(OWNER_FRIEND.number);
    await until(() => fake.presence.length === 2, "two chat states");
    expect(fake.presence).toEqual([
      { type: "composing", jid: dm },
      { type: "composing", jid: WA_GROUP },
    ]);
    expect(fake.sent.map((s) => [s.jid, s.text])).toEqual([
      [dm, "echo: hello"],
      [WA_GROUP, "echo: @holdfast hi all"],
    ]);
  });

  it("still replies when the chat state cannot be sent, logging it at debug", async () => {
    fake.failPresence = true;
    fake.userSends({ from: OWNER_FRIEND, text: "hello" });
    await until(() => got.length === 1, "the message");
    const answer = await answerWorking(adapter, got[0] as InboundMessage);
    expect(fake.sent.map((s) => s.text)).toEqual(["echo: hello"]);
    await until(() => answer.typingFailures().length === 1, "the typing failure logged");
    expect(answer.typingFailures()[0]).toMatchObject({ level: 20, code: "HF_CHANNEL_NETWORK" });
    expect(fake.presence).toEqual([]);
  });
});
