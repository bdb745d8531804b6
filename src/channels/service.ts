import path from "node:path";
import type { Hono } from "hono";
import { isEmptyAllowList, PairingStore, resolveAccessPolicy, type AccountAccessConfig } from "../access/index.js";
import type { RunManager } from "../agent/index.js";
import type { ChatCommandRegistry } from "../commands/index.js";
import type { AgentEntry, HoldfastConfig } from "../config/index.js";
import type { Clock } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import { Router, type DmScope } from "../routing/index.js";
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
  readonly secrets: { get(path: string): string | undefined };
  readonly env: NodeJS.ProcessEnv;
  readonly stateDir: string;
  readonly credentialsDir: string;
  readonly log: Logger;
  readonly clock: Clock;
  readonly runs: Pick<RunManager, "start">;
  readonly commands: ChatCommandRegistry;
  /** Known agents, default first. */
  readonly agentIds: () => readonly string[];
  readonly agent: (agentId: string) => AgentEntry | undefined;
  /**
   * The host directory a session's tools work in (the agent workspace, or the session's sandbox
   * workspace); inbound media go to `<that>/inbox` so the session's tools can read them.
   */
  readonly workspaceOf: (agentId: string, sessionKey: string) => Promise<string>;
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
 * @returns platform message ids. @throws HoldfastError HF_CHANNEL_UNKNOWN, HF_CHANNEL_SEND.
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
  /** Sends text through a running account (for the `message` tool). */
  readonly send: ChannelSend;
  status(): ChannelAccountStatus[];
}

/**
 * Builds the channel stage: one adapter per configured account (Telegram now), each with its resolved
 * access policy, the router, pairing stores and the inbound pipeline.
 * @throws HoldfastError HF_CHANNEL_CONFIG (bad channel settings, bindings naming unknown agents).
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
  const router = new Router(deps.config, deps.agentIds());
  const stores = new Map<string, PairingStore>();
  const pairing = (channel: string) => {
    let s = stores.get(channel);
    if (!s) stores.set(channel, (s = new PairingStore(deps.credentialsDir, channel, deps.clock)));
    return s;
  };
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
    router,
    agent: deps.agent,
    commands: deps.commands,
    pairing,
    replies,
    mediaDir: async (agentId, sessionKey) => {
      const ws = await deps.workspaceOf(agentId, sessionKey);
      return { dir: path.join(ws, "inbox"), relativeTo: ws };
    },
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
    status: () => manager.status(),
  };
}

function accountRuntime(deps: ChannelServiceDeps, adapter: ChannelAdapter, settings: AccountSettings): AccountRuntime {
  const policy = resolveAccessPolicy(deps.config, adapter.channel, adapter.accountId, settings);
  const at = { channel: adapter.channel, accountId: adapter.accountId };
  if (policy.dmPolicy === "open" && !policy.allowFrom.wildcard)
    deps.log.warn(at, 'dmPolicy "open" without "*" in allowFrom admits only the listed senders');
  if (policy.dmPolicy === "allowlist" && isEmptyAllowList(policy.allowFrom))
    deps.log.warn(at, 'dmPolicy "allowlist" with an empty allowFrom: all DMs will be dropped');
  const invalid = [...policy.allowFrom.invalid, ...policy.groupAllowFrom.invalid];
  if (invalid.length > 0)
    deps.log.warn(
      { ...at, entries: invalid },
      "allowFrom entries that can never match a sender id of this channel are ignored",
    );
  return {
    adapter,
    policy,
    mediaMaxBytes: mediaMaxBytes(settings.mediaMaxMb),
    ...(settings.dmScope ? { dmScope: settings.dmScope } : {}),
  };
}
