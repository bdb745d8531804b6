/**
 * The channel adapter contract as a test suite (`src/channels/adapter.ts` documents the contract).
 * Every adapter runs it against its protocol-faithful fake, driven by the adapter's real platform
 * library: `describeChannelContract(harness)` in `src/channels/<channel>/contract.test.ts`.
 *
 * Adding an adapter: write a fake of the platform in `test/support/fake-<channel>.ts`, then a
 * {@link ContractHarness} (see `contract-telegram.ts`, `contract-slack.ts`, `contract-discord.ts`) that
 * starts the fake, builds the adapter against it and plays the platform's users. A platform that
 * cannot do something (no files, no replies) names it in `unsupported` with the reason; the case is
 * then reported as skipped, never as passed.
 *
 * The cases: start/stop idempotent; DMs and group messages normalized (channel, account, chat type
 * and id, sender id and display name, text, native mention of the bot vs of someone else, reply to the
 * bot, media refs with sizes, a stable update id); the bot's own and other bots' messages dropped;
 * outbound text chunked at the platform limit and threaded as a reply; reconnect with jittered backoff
 * after the fake drops the connection, losing nothing; a send to a recipient the DM policy does not
 * admit refused as a value and never sent. Durability (the account's state-store queues): every
 * delivery queued under its platform id and a redelivery handed over once; a delivery the store could
 * not take kept queued and handed to the next start; replies reserved and planned in the outbox, each
 * chunk sent once, and after a restart only the chunks never confirmed sent again.
 */
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createChannelService,
  reconnectDelayBounds,
  type AccountSettings,
  type AdapterDeps,
  type ChannelAdapter,
  type InboundMessage,
} from "../../src/channels/index.js";
import { systemClock, type Clock } from "../../src/infra/index.js";
import { captureLogger } from "./capture-log.js";
import { durabilityCases, eventually } from "./channel-contract-durability.js";
import { channelState } from "./temp-state.js";
import { EchoRuns, memoryChannelDeps, testCommands } from "./fake-channel.js";

/** A person on the platform. `name` is the display name the adapter should report. */
export interface ContractUser {
  readonly id: string;
  readonly name: string;
}

/** How a test user's message is shaped. */
export interface ContractMessageOptions {
  /** Mention the bot natively (`@bot` entity, `<@BOTID>`). */
  readonly mentionBot?: boolean;
  /** Mention another person natively (not the bot). */
  readonly mentionUser?: ContractUser;
  /** Reply to this message of the bot (an id `adapter.send` returned). */
  readonly replyToBot?: string;
  /** Attach a file. */
  readonly file?: { readonly name: string; readonly mimeType: string; readonly bytes: Buffer };
}

/** Optional cases, each with the reason a platform cannot run it. */
export type ContractFeature = "media" | "replyToBot" | "mentionOther";

/** One adapter and its fake, as the contract drives them. */
export interface ContractHarness {
  readonly channel: string;
  /** The limit `send` must chunk at (the adapter's `textLimit` with default settings). */
  readonly textLimit: number;
  readonly alice: ContractUser;
  readonly bob: ContractUser;
  /** Starts a fresh fake (before each case). */
  setup(): Promise<void>;
  /** Stops the fake (after each case, after the adapters stopped). */
  teardown(): Promise<void>;
  /** A new, not started adapter for account `default` against the fake. */
  createAdapter(deps: AdapterDeps): ChannelAdapter;
  /** Resolves once the adapter receives (polling, socket open, gateway session ready). */
  waitReceiving(): Promise<void>;
  /** Connections the adapter opened so far (gateway sessions, sockets; for polling: identity checks). */
  connections(): number;
  /** The group chat the bot is in, as inbound messages name it. */
  readonly groupChatId: string;
  /** Every form a send target for `user`'s DM can take (`resolveTarget` must accept each). */
  dmTargets(user: ContractUser): readonly string[];
  /** The chat id inbound DMs of `user` carry. */
  dmChatId(user: ContractUser): string;
  sendDm(user: ContractUser, text: string, opts?: ContractMessageOptions): Promise<void>;
  sendGroup(user: ContractUser, text: string, opts?: ContractMessageOptions): Promise<void>;
  /**
   * Delivers the last user message again under the same platform id (a platform retry of a delivery
   * it believes failed, a RESUME replay).
   */
  redeliverLast(): Promise<void>;
  /** The bot's own message and another bot's message appear in the group. */
  sendBotMessages(text: string): Promise<void>;
  /** What the fake recorded the bot sending to `chatId` (a chat id as inbound messages carry it). */
  sentTo(chatId: string): readonly { readonly text: string; readonly replyTo?: string }[];
  /** Everything the fake recorded the bot sending. */
  sentCount(): number;
  /** Drops the connection as a network failure would; the next `refuse` reconnect attempts fail too. */
  dropConnection(refuse: number): Promise<void>;
  readonly unsupported?: Partial<Record<ContractFeature, string>>;
}

/** A clock whose backoff sleeps end at once, recording each delay; watchdog timers run in real time. */
function recordingSleeps(): Clock & { readonly sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => Date.now(),
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      if (ms > WATCHDOG_MIN_MS) return systemClock.sleep(ms, signal);
      sleeps.push(ms);
      await new Promise((r) => setImmediate(r));
    },
  };
}

/**
 * Waits longer than this are watchdogs (a hung request abandoned after its timeout), not backoff
 * delays (capped at 30 s): the recording clock lets them run in real time instead of at once.
 */
const WATCHDOG_MIN_MS = 60_000;

/** Registers the contract cases for `h` under `describe("<channel> adapter contract")`. */
export function describeChannelContract(h: ContractHarness): void {
  describe(`${h.channel} adapter contract (real library against its fake)`, () => {
    let stateDir: string;
    let clock: ReturnType<typeof recordingSleeps>;
    const adapters: ChannelAdapter[] = [];
    const got: InboundMessage[] = [];
    const sink = async (m: InboundMessage) => void got.push(m);
    const next = async (n: number) => {
      await eventually(() => got.length >= n, `${n} inbound message(s), got ${got.length}`);
      return got[n - 1] as InboundMessage;
    };
    const adapter = () => {
      const a = h.createAdapter({ log: captureLogger().log, clock, queues: channelState(stateDir, h.channel).queues });
      adapters.push(a);
      return a;
    };
    const started = async () => {
      const a = adapter();
      await a.start(sink);
      await h.waitReceiving();
      await eventually(() => a.status().state === "running", "state running");
      return a;
    };
    const feature = (f: ContractFeature, title: string, fn: () => Promise<void>) => {
      const why = h.unsupported?.[f];
      if (why) it.skip(`${title} (unsupported: ${why})`, fn);
      else it(title, fn);
    };

    beforeEach(async () => {
      got.length = 0;
      clock = recordingSleeps();
      stateDir = await mkdtemp(path.join(os.tmpdir(), `hf-contract-${h.channel}-`));
      await h.setup();
    });
    afterEach(async () => {
      for (const a of adapters.splice(0)) await a.stop();
      await h.teardown();
    });

    it("starts and stops idempotently; sending still works after stop", async () => {
      const a = adapter();
      expect(a.status().state).toBe("idle");
      await a.start(sink);
      await a.start(sink);
      await h.waitReceiving();
      await eventually(() => a.status().state === "running", "state running");
      expect(h.connections()).toBe(1);
      await h.sendDm(h.alice, "once");
      await next(1);
      await new Promise((r) => setTimeout(r, 200));
      expect(got).toHaveLength(1);
      await a.stop();
      await a.stop();
      expect(a.status().state).toBe("stopped");
      expect(await a.send({ chatId: h.dmChatId(h.alice), text: "after stop" })).toHaveLength(1);
    });

    it("normalizes a DM: ids, display name, text, no mention, a stable update id", async () => {
      await started();
      await h.sendDm(h.alice, "hello there");
      const m = await next(1);
      expect(m).toMatchObject({
        channel: h.channel,
        accountId: "default",
        chatType: "direct",
        chatId: h.dmChatId(h.alice),
        senderId: h.alice.id,
        senderName: h.alice.name,
        text: "hello there",
        mentionsBot: false,
        hasAnyMention: false,
        replyToBot: false,
        media: [],
      });
      expect(m.messageId).toMatch(/\S/);
      expect(m.updateId).toMatch(/\S/);
    });

    it("normalizes group messages: without a mention, with the bot's native mention", async () => {
      await started();
      await h.sendGroup(h.bob, "just chatting");
      await h.sendGroup(h.bob, "question for the bot", { mentionBot: true });
      const [plain, mentioned] = [await next(1), await next(2)];
      expect(plain).toMatchObject({ chatType: "group", chatId: h.groupChatId, senderId: h.bob.id, mentionsBot: false });
      expect(plain.hasAnyMention).toBe(false);
      expect(mentioned).toMatchObject({
        chatType: "group",
        chatId: h.groupChatId,
        mentionsBot: true,
        hasAnyMention: true,
      });
      expect(mentioned.text).toContain("question for the bot");
      expect(new Set([plain.updateId, mentioned.updateId]).size).toBe(2);
    });

    feature("mentionOther", "tells a mention of someone else from a mention of the bot", async () => {
      await started();
      await h.sendGroup(h.bob, "ping alice", { mentionUser: h.alice });
      expect(await next(1)).toMatchObject({ mentionsBot: false, hasAnyMention: true });
    });

    feature("replyToBot", "marks a reply to one of the bot's messages", async () => {
      const a = await started();
      const [botMessage] = await a.send({ chatId: h.groupChatId, text: "I said something" });
      await h.sendGroup(h.bob, "replying to you", { replyToBot: botMessage as string });
      expect(await next(1)).toMatchObject({ replyToBot: true, mentionsBot: false });
    });

    feature("media", "describes attachments with their sizes and downloads them within the limit", async () => {
      const a = await started();
      const bytes = Buffer.from("contract attachment bytes");
      await h.sendDm(h.alice, "see file", { file: { name: "notes.txt", mimeType: "text/plain", bytes } });
      const m = await next(1);
      expect(m.media).toHaveLength(1);
      const ref = m.media[0] as InboundMessage["media"][number];
      expect(ref.sizeBytes).toBe(bytes.length);
      expect(Buffer.from((await a.fetchMedia?.(ref, 1024))?.bytes ?? [])).toEqual(bytes);
      await expect(a.fetchMedia?.(ref, 4)).rejects.toMatchObject({
        code: "HF_CHANNEL_MEDIA",
        details: { tooLarge: true },
      });
    });

    it("drops the bot's own messages and other bots' messages", async () => {
      await started();
      await h.sendBotMessages("from a bot");
      await h.sendGroup(h.bob, "from a person");
      expect((await next(1)).text).toBe("from a person");
      await new Promise((r) => setTimeout(r, 200));
      expect(got).toHaveLength(1);
    });

    it("chunks long text at the platform limit and threads the first chunk as a reply", async () => {
      const a = await started();
      await h.sendGroup(h.bob, "write me an essay", { mentionBot: true });
      const asked = await next(1);
      const para = (c: string) => `${c.repeat(Math.floor(h.textLimit * 0.6))}`;
      const long = [para("a"), para("b"), para("c"), para("d")].join("\n\n");
      const ids = await a.send({ chatId: h.groupChatId, text: long, replyTo: asked.messageId });
      const sent = h.sentTo(h.groupChatId);
      expect(ids).toHaveLength(sent.length);
      expect(sent.length).toBeGreaterThan(1);
      expect(sent.every((s) => s.text.length <= h.textLimit)).toBe(true);
      expect(sent.map((s) => s.text).join("")).toBe(long.replace(/\n\n/g, ""));
      expect(sent[0]?.replyTo).toBe(asked.messageId);
    });

    it("reconnects with jittered backoff after the connection drops, losing nothing", async () => {
      const a = await started();
      const before = h.connections();
      await h.dropConnection(2);
      await h.sendDm(h.alice, "sent while down");
      expect((await next(1)).text).toBe("sent while down");
      await eventually(() => a.status().state === "running", "running again");
      expect(h.connections()).toBeGreaterThanOrEqual(before);
      expect(clock.sleeps.length).toBeGreaterThanOrEqual(2);
      clock.sleeps.forEach((ms, i) => {
        const { min, max } = reconnectDelayBounds(i);
        expect(ms, `reconnect wait #${i}`).toBeGreaterThanOrEqual(min);
        expect(ms, `reconnect wait #${i}`).toBeLessThan(max);
      });
      expect(a.status().lastError).toMatchObject({ code: expect.stringMatching(/^HF_CHANNEL_/), message: /\S/ });
      expect(a.status().errorCode).toBeUndefined();
      await new Promise((r) => setTimeout(r, 200));
      expect(got).toHaveLength(1);
    });

    it("refuses a send to a recipient the DM policy does not admit, as a value, and never sends it", async () => {
      const a = adapter();
      const settings: AccountSettings = { dmPolicy: "allowlist", allowFrom: [h.alice.id], groupPolicy: "disabled" };
      const dir = await mkdtemp(path.join(os.tmpdir(), `hf-contract-svc-`));
      const service = await createChannelService(
        memoryChannelDeps({
          dir,
          config: {},
          log: captureLogger().log,
          runs: new EchoRuns(),
          commands: testCommands().registry,
          adapter: a,
          settings,
        }),
      );
      await service.start();
      await h.waitReceiving();
      const before = h.sentCount();
      for (const to of h.dmTargets(h.bob))
        expect(await service.send(h.channel, "default", to, "psst"), to).toMatchObject({
          sent: false,
          reason: "dm_recipient_not_allowlisted",
        });
      expect(await service.send(h.channel, "default", h.groupChatId, "hi all")).toMatchObject({
        sent: false,
        reason: "group_policy_disabled",
      });
      expect(h.sentCount()).toBe(before);
      for (const to of h.dmTargets(h.alice))
        expect(await service.send(h.channel, "default", to, "hello alice"), to).toMatchObject({ sent: true });
      expect(h.sentTo(h.dmChatId(h.alice)).map((s) => s.text)).toEqual(h.dmTargets(h.alice).map(() => "hello alice"));
      await service.stop();
    });

    durabilityCases({ h, stateDir: () => stateDir, adapter, started, next, got });
  });
}
