import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { captureLogger, instantClock } from "../../../test/support/capture-log.js";
import { channelState, tempStateDir } from "../../../test/support/temp-state.js";
import { DISCORD_BOT, DISCORD_GUILD } from "../../../test/support/contract-discord.js";
import { FakeDiscord } from "../../../test/support/fake-discord.js";
import { answerWorking } from "../../../test/support/typing-replies.js";
import type { InboundMessage } from "../adapter.js";
import { DiscordAdapter } from "./adapter.js";
import type { DiscordAccountSettings } from "./settings.js";

const ADA = { id: "1200000000000000009", username: "ada", globalName: "Ada" };
const THREAD = DISCORD_GUILD.threads?.[0] as { id: string; parentId: string };

describe("DiscordAdapter on discord.js against the fake gateway", () => {
  let fake: FakeDiscord;
  let cap: ReturnType<typeof captureLogger>;
  const adapters: DiscordAdapter[] = [];
  const got: InboundMessage[] = [];

  const adapter = async (over: Partial<DiscordAccountSettings> = {}) => {
    const a = new DiscordAdapter(
      {
        accountId: "default",
        configPath: "channels.discord",
        access: {},
        token: DISCORD_BOT.token,
        apiRoot: fake.apiRoot,
        intents: ["Guilds", "GuildMessages", "DirectMessages", "MessageContent"],
        textLimit: 2000,
        ...over,
      },
      {
        log: cap.log,
        clock: instantClock,
        queues: channelState(tempStateDir("hf-discord-").stateDir, "discord").queues,
      },
    );
    adapters.push(a);
    await a.start(async (m) => void got.push(m));
    return a;
  };
  const until = async (cond: () => boolean, what: string) => {
    for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
    if (!cond()) throw new Error(`timed out: ${what}`);
  };

  beforeEach(async () => {
    got.length = 0;
    cap = captureLogger();
    fake = await FakeDiscord.start({ bot: DISCORD_BOT, users: [ADA], guilds: [DISCORD_GUILD], heartbeatMs: 150 });
  });
  afterEach(async () => {
    for (const a of adapters.splice(0)) await a.stop();
    await fake.close();
  });

  it("identifies with only the intents it needs and keeps the session alive with acknowledged heartbeats", async () => {
    const a = await adapter();
    await until(() => a.status().state === "running", "running");
    expect(fake.identifies.map((i) => i.intents)).toEqual([1 | (1 << 9) | (1 << 12) | (1 << 15)]);
    await until(() => fake.heartbeats.length >= 3, "three heartbeats");
    expect(fake.resumes).toEqual([]);
    expect(fake.connections).toBe(1);
    expect(a.status()).toMatchObject({ state: "running", mode: "gateway", botUsername: "holdfast" });
  });

  it("resumes a dropped session and gets the messages it missed replayed, once", async () => {
    const a = await adapter();
    await until(() => a.status().state === "running", "running");
    fake.drop();
    fake.userSends({ author: ADA, content: "while you were away" });
    await until(() => got.length === 1, "the replayed message");
    expect(fake.resumes).toHaveLength(1);
    expect(fake.identifies).toHaveLength(1);
    expect(got[0]?.text).toBe("while you were away");
    await until(() => a.status().state === "running", "running again");
  });

  it("reads thread messages as their parent channel's and answers inside the thread", async () => {
    const a = await adapter();
    await until(() => a.status().state === "running", "running");
    fake.userSends({ author: ADA, channelId: THREAD.id, content: `<@${DISCORD_BOT.id}> in a thread` });
    await until(() => got.length === 1, "the thread message");
    expect(got[0]).toMatchObject({
      chatId: THREAD.parentId,
      threadId: THREAD.id,
      guildId: DISCORD_GUILD.id,
      mentionsBot: true,
    });
    await a.send({
      chatId: THREAD.parentId,
      threadId: THREAD.id,
      text: "answer",
      replyTo: got[0]?.messageId as string,
    });
    expect(fake.sent.items).toEqual([
      expect.objectContaining({ channelId: THREAD.id, content: "answer", replyTo: got[0]?.messageId }),
    ]);
  });

  it("shows typing in a DM and in a guild channel while a run works, then replies", async () => {
    const a = await adapter();
    await until(() => a.status().state === "running", "running");
    const general = DISCORD_GUILD.channels[0]?.id as string;
    fake.userSends({ author: ADA, content: "hello" });
    fake.userSends({ author: ADA, channelId: general, content: `<@${DISCORD_BOT.id}> hi all` });
    await until(() => got.length === 2, "both messages");
    for (const m of got) await answerWorking(a, m);
    await until(() => fake.typing.length === 2, "two typing indicators");
    expect(fake.typing).toEqual([fake.dmOf(ADA.id), general]);
    expect(fake.sent.items.map((s) => [s.channelId, s.content])).toEqual([
      [fake.dmOf(ADA.id), "echo: hello"],
      [general, `echo: <@${DISCORD_BOT.id}> hi all`],
    ]);
  });

  it("still replies when Discord refuses the typing indicator, logging it at debug", async () => {
    const a = await adapter();
    await until(() => a.status().state === "running", "running");
    fake.refuseTyping = true;
    fake.userSends({ author: ADA, content: "hello" });
    await until(() => got.length === 1, "the message");
    const answer = await answerWorking(a, got[0] as InboundMessage);
    expect(fake.sent.items.map((s) => s.content)).toEqual(["echo: hello"]);
    await until(() => answer.typingFailures().length === 1, "the typing failure logged");
    expect(answer.typingFailures()[0]).toMatchObject({ level: 20, code: "HF_CHANNEL_REFUSED" });
    expect(fake.typing).toEqual([]);
  });

  it("stops with one clear error when Discord rejects the token, without logging it", async () => {
    const a = await adapter({ token: "MTEwMDAwMDAwMDAwMDAwMDAwMQ.GhXyZw.WrongTokenWrongTokenWrongToken" });
    await until(() => a.status().state === "failed", "failed");
    expect(a.status()).toMatchObject({ state: "failed", errorCode: "HF_CHANNEL_AUTH" });
    const errors = cap.lines.filter((l) => l.level === 50);
    expect(errors.map((l) => l.msg)).toEqual([
      'discord account "default" stopped: Discord rejected the bot token; check channels.discord.token',
    ]);
    expect(cap.text()).not.toContain("WrongToken");
  });

  it("stops when the Message Content intent is not allowed for the bot (close 4014), saying where to enable it", async () => {
    fake.disallowMessageContent = true;
    const a = await adapter();
    await until(() => a.status().state === "failed", "failed");
    expect(a.status()).toMatchObject({
      errorCode: "HF_CHANNEL_CONFIG",
      lastError: expect.objectContaining({ message: expect.stringContaining("Message Content intent") }),
    });
  });
});
