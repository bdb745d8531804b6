/**
 * The durability cases of the channel adapter contract (see `channel-contract.ts`): what every adapter
 * must do with its account's state-store queues (`AdapterDeps.queues`).
 */
import { it, expect } from "vitest";
import {
  createChannelService,
  OutboxSender,
  type ChannelAdapter,
  type InboundMessage,
} from "../../src/channels/index.js";
import { HoldfastError } from "../../src/errors/index.js";
import { captureLogger } from "./capture-log.js";
import { EchoRuns, memoryChannelDeps, testCommands } from "./fake-channel.js";
import { channelState } from "./temp-state.js";

/** Polls `cond` every 20 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function eventually(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The part of a `ContractHarness` (`channel-contract.ts`) the durability cases drive. */
interface DurabilityHarness {
  readonly channel: string;
  readonly alice: { readonly id: string; readonly name: string };
  readonly bob: { readonly id: string; readonly name: string };
  waitReceiving(): Promise<void>;
  dmChatId(user: { readonly id: string }): string;
  sendDm(user: { readonly id: string; readonly name: string }, text: string): Promise<void>;
  sendGroup(
    user: { readonly id: string; readonly name: string },
    text: string,
    opts?: { mentionBot?: boolean },
  ): Promise<void>;
  redeliverLast(): Promise<void>;
  sentTo(chatId: string): readonly { readonly text: string }[];
}

/** What the contract's `describe` block gives the durability cases. */
export interface DurabilityContext {
  readonly h: DurabilityHarness;
  /** This case's state dir (its state database holds the account's queues). */
  readonly stateDir: () => string;
  /** A new adapter on the case's state dir (stopped after the case). */
  readonly adapter: () => ChannelAdapter;
  /** A new adapter, started (receiving, state `running`), delivering into {@link got}. */
  readonly started: () => Promise<ChannelAdapter>;
  /** The `n`th inbound message, once it arrived. */
  readonly next: (n: number) => Promise<InboundMessage>;
  readonly got: readonly InboundMessage[];
}

/**
 * Registers the durability cases: every delivery queued under its platform id and a redelivery handed
 * over once; a delivery the store could not take kept queued and handed to the next start; outbox
 * replies sent once per chunk, and after a restart only the chunks never confirmed; each admitted
 * message's reply reserved in the outbox and sent once.
 */
export function durabilityCases(ctx: DurabilityContext): void {
  const { h, stateDir, adapter, started, next, got } = ctx;
  it("queues every delivery under its platform id and hands a redelivery over once", async () => {
    await started();
    await h.sendDm(h.alice, "only once");
    await next(1);
    await h.redeliverLast();
    await h.sendDm(h.alice, "and then this");
    await next(2);
    await new Promise((r) => setTimeout(r, 300));
    expect(got.map((m) => m.text)).toEqual(["only once", "and then this"]);
    const { inbound } = channelState(stateDir(), h.channel).queues("default");
    expect(inbound.stats()).toMatchObject({ queued: 0, failed: 0 });
    expect(inbound.stats().done).toBeGreaterThanOrEqual(2);
  });

  it("keeps a delivery the state store could not take queued, and hands it to the next start", async () => {
    const first = adapter();
    let attempts = 0;
    await first.start(async () => {
      attempts += 1;
      throw new HoldfastError("HF_STATE_BUSY", "the state database is locked");
    });
    await h.waitReceiving();
    await eventually(() => first.status().state === "running", "state running");
    await h.sendDm(h.alice, "keep me");
    await eventually(() => attempts > 0, "a hand-over attempt");
    await first.stop();
    const { inbound } = channelState(stateDir(), h.channel).queues("default");
    expect(inbound.stats().queued).toBe(1);
    await started();
    expect((await next(1)).text).toBe("keep me");
    await eventually(() => inbound.stats().queued === 0, "the queue drained");
    await new Promise((r) => setTimeout(r, 200));
    expect(got).toHaveLength(1);
  });

  it("sends an outbox reply once per chunk; after a restart only the unconfirmed chunks go out", async () => {
    const a = await started();
    await h.sendGroup(h.bob, "a long answer please", { mentionBot: true });
    const asked = await next(1);
    const { outbox } = channelState(stateDir(), h.channel).queues("default");
    const target = {
      chatId: asked.chatId,
      replyTo: asked.messageId,
      ...(asked.threadId ? { threadId: asked.threadId } : {}),
    };
    outbox.reserve("contract-reply", target);
    expect(outbox.plan("contract-reply", target, ["part one", "part two", "part three"])).toBe(true);
    const [sentBefore, unconfirmed] = outbox.due();
    if (!sentBefore || !unconfirmed) throw new Error("planned chunks missing");
    outbox.markSending(sentBefore.seq);
    outbox.markSent(sentBefore.seq, "sent-before-the-restart");
    outbox.markSending(unconfirmed.seq);
    const sender = new OutboxSender(outbox, () => a, captureLogger().log);
    sender.kick();
    await sender.idle();
    sender.stop();
    expect(h.sentTo(asked.chatId).map((s) => s.text)).toEqual(["part two", "part three"]);
    const chunks = outbox.chunks("contract-reply");
    expect(chunks.map((c) => c.state)).toEqual(["sent", "sent", "sent"]);
    expect(chunks.every((c) => (c.platformId ?? "") !== "")).toBe(true);
    expect(outbox.due()).toEqual([]);
  });

  it("reserves each admitted message's reply in the outbox and sends it once", async () => {
    const a = adapter();
    const service = await createChannelService(
      memoryChannelDeps({
        dir: stateDir(),
        config: {},
        log: captureLogger().log,
        runs: new EchoRuns(),
        commands: testCommands().registry,
        adapter: a,
        settings: { dmPolicy: "open", allowFrom: ["*"] },
      }),
    );
    await service.start();
    await h.waitReceiving();
    await eventually(() => a.status().state === "running", "state running");
    await h.sendDm(h.alice, "reply to me");
    await eventually(() => h.sentTo(h.dmChatId(h.alice)).length > 0, "the reply");
    await h.redeliverLast();
    await new Promise((r) => setTimeout(r, 300));
    await service.flush();
    expect(h.sentTo(h.dmChatId(h.alice)).map((s) => s.text)).toEqual(["echo: reply to me"]);
    const { outbox } = channelState(stateDir(), h.channel).queues("default");
    expect(outbox.stats()).toMatchObject({ awaiting: 0, pending: 0, unconfirmed: 0, sent: 1, failed: 0 });
    await service.stop();
  });
}
