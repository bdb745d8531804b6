import type { SecurityTrail } from "../trail/index.js";
import type { Hono } from "hono";
import type { AccessStage, AccountAccessConfig } from "../access/index.js";
import type { RunManager } from "../agent/index.js";
import type { ChatCommandRegistry } from "../commands/index.js";
import type { AgentEntry, HoldfastConfig } from "../config/index.js";
import type { Clock } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import type { DmScope, Router } from "../routing/index.js";
import type { ChannelOutbound } from "../tools/index.js";
import type { MediaSaver } from "./media.js";
import type { ChannelAdapter } from "./adapter.js";
import { ChannelManager, type ChannelAccountStatus } from "./manager.js";
import { mediaMaxBytes } from "./media.js";
import { InboundPipeline, type AccountRuntime } from "./pipeline.js";
import { ReplyDispatcher } from "./replies.js";
import { resolveTelegramAccounts } from "./telegram/settings.js";
import type { StateStore } from "../store/index.js";

/** An account's settings as the service reads them (any channel's merged account block). */
export type AccountSettings = AccountAccessConfig & {
  readonly dmScope?: DmScope | undefined;
  readonly mediaMaxMb?: number | undefined;
};

/** Dependencies of {@link createChannelService}: other stages' public interfaces plus context. */
export interface ChannelServiceDeps {
  readonly config: HoldfastConfig;
  /** Where security events of the channels (pairing requests) are recorded. */
  readonly trail?: SecurityTrail;
  readonly secrets: { get(path: string): string | undefined };
  readonly env: NodeJS.ProcessEnv;
  readonly stateDir: string;
  readonly log: Logger;
  readonly clock: Clock;
  /** Access control: each account's policy, and the pairing stores. */
  readonly access: AccessStage;
  /** Routing: which agent and session answer a message. */
  readonly router: Pick<Router, "resolve">;
  readonly runs: Pick<RunManager, "start">;
  readonly commands: ChatCommandRegistry;
  /** An agent's config entry (its mention patterns). */
  readonly agent: (agentId: string) => AgentEntry | undefined;
  /**
   * Saves an inbound attachment of a session where the gateway owns it (outside every jail) and
   * returns the path the session's tools read it at (`/inbox/<name>`, read-only in its jail).
   */
  readonly saveMedia: MediaSaver;
  /**
   * The outbound leak scan: applied to every text before any adapter sends it (replies, pairing
   * messages, the `message` tool). Returns the text to send (a notice when it held a secret).
   */
  readonly guardOutbound?: (text: string) => string;
  /** The state store: each account's durable inbound queue and outbox, and the run ledger. */
  readonly state: Pick<StateStore, "channel" | "runs">;
  /** Adapters besides the configured Telegram accounts (other channels, tests). */
  readonly extraAdapters?: readonly { readonly adapter: ChannelAdapter; readonly settings: AccountSettings }[];
}

/**
 * Sends `text` to `chatId` through a running channel account, chunked to the platform limit.
 * @returns platform message ids. @throws HoldfastError HF_CHANNEL_UNKNOWN, HF_CHANNEL_REFUSED, HF_CHANNEL_NETWORK, HF_CHANNEL_AUTH, HF_CHANNEL_SEND.
 */
export type ChannelSend = (channel: string, accountId: string, chatId: string, text: string) => Promise<string[]>;

/** The channel stage: accounts, the inbound pipeline and outbound sending. */
export interface ChannelService {
  readonly manager: ChannelManager;
  readonly pipeline: InboundPipeline;
  /** Webhook routes, mounted before gateway auth. */
  publicRoutes(app: Hono): void;
  /** Starts receiving on every account (after the HTTP server listens). */
  start(): Promise<void>;
  /** Stops receiving; replies of running turns can still be sent. */
  stop(): Promise<void>;
  /** Waits for scheduled replies and outbox passes, then stops outbox retries (shutdown). */
  flush(): Promise<void>;
  /** Sends text through a running account. */
  readonly send: ChannelSend;
  /**
   * {@link send} for other stages (the `message` tool): the channels with a running account, and a
   * send through one (the default account when none is named). Texts pass the outbound leak scan.
   */
  readonly outbound: ChannelOutbound;
  status(): ChannelAccountStatus[];
}

/**
 * Builds the channel stage: one adapter per configured account (Telegram now), each with its access
 * policy, and the inbound pipeline over access control and routing. Nothing is received before
 * `start()`.
 * @throws HoldfastError HF_CHANNEL_CONFIG (bad channel settings).
 */
export async function createChannelService(deps: ChannelServiceDeps): Promise<ChannelService> {
  const log = deps.log;
  const manager = new ChannelManager(log, deps.guardOutbound);
  // The Telegram adapter (and grammY) is loaded only when a Telegram account is configured.
  const telegram =
    (await resolveTelegramAccounts(deps)).length > 0
      ? await (
          await import("./telegram/index.js")
        ).createTelegramAdapters(deps, {
          log,
          clock: deps.clock,
          queues: (accountId) => deps.state.channel("telegram", accountId),
        })
      : [];
  for (const { adapter, settings } of [
    ...telegram.map((t) => ({ adapter: t.adapter, settings: t.settings.config as AccountSettings })),
    ...(deps.extraAdapters ?? []),
  ]) {
    manager.add(accountRuntime(deps, adapter, settings));
  }
  const replies = new ReplyDispatcher({
    runs: deps.runs,
    log,
    adapter: (c, a) => manager.adapter(c, a),
    queues: (c, a) => deps.state.channel(c, a),
    ledger: deps.state.runs,
    ...(deps.guardOutbound ? { guardOutbound: deps.guardOutbound } : {}),
  });
  const pipeline = new InboundPipeline({
    log,
    account: (c, a) => manager.account(c, a),
    router: deps.router,
    agent: deps.agent,
    commands: deps.commands,
    pairing: (channel) => deps.access.pairing(channel),
    replies,
    saveMedia: deps.saveMedia,
    ...(deps.trail ? { trail: deps.trail } : {}),
  });
  return {
    manager,
    pipeline,
    publicRoutes: (app) => manager.publicRoutes(app),
    start: () => {
      for (const a of manager.status()) replies.recover(a.channel, a.accountId);
      return manager.start((m) => pipeline.handle(m));
    },
    stop: () => manager.stop(),
    flush: async () => {
      await replies.flush();
      replies.stop();
    },
    send: (channel, accountId, chatId, text) => manager.send(channel, accountId, chatId, text),
    outbound: {
      channels: () => [...new Set(manager.status().map((s) => s.channel))],
      send: async (channel, accountId, chatId, text) => {
        const ids = await manager.send(channel, accountId ?? "default", chatId, text);
        return ids[0] !== undefined ? { messageId: ids[0] } : {};
      },
    },
    status: () => manager.status(),
  };
}

function accountRuntime(deps: ChannelServiceDeps, adapter: ChannelAdapter, settings: AccountSettings): AccountRuntime {
  return {
    adapter,
    policy: deps.access.policyFor(adapter.channel, adapter.accountId, settings),
    mediaMaxBytes: mediaMaxBytes(settings.mediaMaxMb),
    ...(settings.dmScope ? { dmScope: settings.dmScope } : {}),
  };
}
