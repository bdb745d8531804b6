import type { SecurityTrail } from "../trail/index.js";
import type { Hono } from "hono";
import {
  decideOutbound,
  EMPTY_ALLOW_LIST,
  parseAllowList,
  type AccessStage,
  type OutboundDenyReason,
} from "../access/index.js";
import type { RunManager, StartedRun } from "../agent/index.js";
import type { ChatCommandRegistry } from "../commands/index.js";
import type { AgentEntry, HoldfastConfig } from "../config/index.js";
import { HoldfastError } from "../errors/index.js";
import type { Clock } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import type { Router } from "../routing/index.js";
import type { ChannelOutbound } from "../tools/index.js";
import type { MediaSaver } from "./media.js";
import type { ChannelAdapter } from "./adapter.js";
import { ChannelManager, type ChannelAccountStatus } from "./manager.js";
import { mediaMaxBytes } from "./media.js";
import { InboundPipeline, type AccountRuntime } from "./pipeline.js";
import type { AccountSettings, ConfiguredAdapter } from "./plugin-types.js";
import { configuredChannels } from "./plugins.js";
import { ReplyDispatcher, type RunEnd } from "./replies.js";
import type { StateStore } from "../store/index.js";
import { lazyWebLogin, type WebLogin } from "./web-login.js";
import type { WhatsAppConnector } from "./whatsapp/socket.js";

export type { AccountSettings } from "./plugin-types.js";

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
  /** Adapters besides the configured channel accounts (tests). */
  readonly extraAdapters?: readonly ConfiguredAdapter[];
  /** How WhatsApp sockets are made (Baileys when absent; a fake of WhatsApp in a test process). */
  readonly whatsappConnector?: WhatsAppConnector;
}

/** What became of a send: sent (the platform message ids), or refused by access policy (nothing sent). */
export type SendOutcome =
  | { readonly sent: true; readonly messageIds: readonly string[] }
  | { readonly sent: false; readonly reason: OutboundDenyReason; readonly detail?: string };

/**
 * Sends `text` to `to` (a chat id, or a target such as `user:<id>`) through a running channel account,
 * chunked to the platform limit — if the account's access policy admits the recipient (see
 * `decideOutbound`); otherwise nothing is sent and the refusal comes back as a value.
 * @throws HoldfastError HF_CHANNEL_UNKNOWN, HF_CHANNEL_REFUSED, HF_CHANNEL_NETWORK, HF_CHANNEL_AUTH, HF_CHANNEL_SEND.
 */
export type ChannelSend = (channel: string, accountId: string, to: string, text: string) => Promise<SendOutcome>;

type Admitted =
  | { readonly sent: true; readonly chatId: string; readonly threadId?: string }
  | { readonly sent: false; readonly reason: OutboundDenyReason; readonly detail?: string };

/**
 * A reply another stage owes to `to` for a run it starts (a webhook turn), sent durably through the
 * account's outbox: the recipient is resolved and checked against the account's access policy now
 * (a refusal comes back as a value); `follow` then reserves the reply for the started run and sends
 * its final text exactly once, across restarts and channel outages (see `ReplyDispatcher.follow`).
 * @throws HoldfastError HF_CHANNEL_UNKNOWN, HF_CHANNEL_* when the recipient cannot be resolved;
 *   `follow` throws HF_STATE_* when the reservation cannot be committed.
 */
export type DurableReply = (
  channel: string,
  accountId: string,
  to: string,
) => Promise<
  | { readonly sent: true; follow(replyKey: string, run: StartedRun, end: () => RunEnd): void }
  | { readonly sent: false; readonly reason: OutboundDenyReason; readonly detail?: string }
>;

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
  /** Sends text through a running account, within its access policy. */
  readonly send: ChannelSend;
  /** A durable reply for a run another stage starts, within the account's access policy. */
  readonly replyLater: DurableReply;
  /**
   * {@link send} for other stages (the `message` tool): the channels with a running account, and a
   * send through one (the default account when none is named). Texts pass the outbound leak scan.
   */
  readonly outbound: ChannelOutbound;
  status(): ChannelAccountStatus[];
  /** WhatsApp device linking through the gateway (`web.login.*`); a linked account starts at once. */
  readonly webLogin: WebLogin;
}

/**
 * Builds the channel stage: one adapter per configured account of each configured channel (Telegram,
 * Slack, Discord — each channel's module and platform library loaded only then), each with its access
 * policy, and the inbound pipeline over access control and routing. Nothing is received before
 * `start()`.
 * @throws HoldfastError HF_CHANNEL_CONFIG (bad channel settings).
 */
export async function createChannelService(deps: ChannelServiceDeps): Promise<ChannelService> {
  const log = deps.log;
  const manager = new ChannelManager(log, deps.guardOutbound);
  const configured: ConfiguredAdapter[] = [];
  for (const channel of configuredChannels(deps.config)) {
    const adapterDeps = {
      log,
      clock: deps.clock,
      queues: (accountId: string) => deps.state.channel(channel.id, accountId),
    };
    configured.push(...(await (await channel.load()).createAdapters(deps, adapterDeps)));
  }
  for (const { adapter, settings } of [...configured, ...(deps.extraAdapters ?? [])])
    manager.add(accountRuntime(deps, adapter, settings));
  const replies = new ReplyDispatcher({
    runs: deps.runs,
    log,
    adapter: (c, a) => manager.adapter(c, a),
    queues: (c, a) => deps.state.channel(c, a),
    ledger: deps.state.runs,
    clock: deps.clock,
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
  const admit = async (channel: string, accountId: string, to: string): Promise<Admitted> => {
    const acct = manager.account(channel, accountId);
    if (!acct) throw new HoldfastError("HF_CHANNEL_UNKNOWN", `no running channel account ${channel}/${accountId}`);
    const target = await acct.adapter.resolveTarget(to);
    const underPairing = target.recipient.chatType === "direct" && acct.policy.dmPolicy === "pairing";
    const storeAllow = underPairing
      ? parseAllowList(channel, await deps.access.pairing(channel).allow.entries(accountId))
      : EMPTY_ALLOW_LIST;
    const decision = decideOutbound(acct.policy, target.recipient, storeAllow);
    log.debug(
      { channel, accountId, chatId: target.chatId, allow: decision.allow, reason: decision.reason },
      "outbound decision",
    );
    if (!decision.allow)
      return { sent: false, reason: decision.reason, ...(decision.detail ? { detail: decision.detail } : {}) };
    return {
      sent: true,
      chatId: target.chatId,
      ...(target.threadId !== undefined ? { threadId: target.threadId } : {}),
    };
  };
  const send: ChannelSend = async (channel, accountId, to, text) => {
    const a = await admit(channel, accountId, to);
    if (!a.sent) return a;
    const messageIds = await manager.send(channel, accountId, a.chatId, { text, threadId: a.threadId });
    return { sent: true, messageIds };
  };
  const replyLater: DurableReply = async (channel, accountId, to) => {
    const a = await admit(channel, accountId, to);
    if (!a.sent) return a;
    const target = { chatId: a.chatId, ...(a.threadId !== undefined ? { threadId: a.threadId } : {}) };
    return {
      sent: true,
      follow: (replyKey, run, end) => replies.follow({ channel, accountId }, { replyKey, target }, run, end),
    };
  };
  const webLogin = lazyWebLogin({
    stateDir: deps.stateDir,
    log,
    manager,
    ...(deps.whatsappConnector ? { connector: deps.whatsappConnector } : {}),
  });
  return {
    manager,
    pipeline,
    webLogin,
    publicRoutes: (app) => manager.publicRoutes(app),
    start: () => {
      for (const a of manager.status()) replies.recover(a.channel, a.accountId);
      return manager.start((m) => pipeline.handle(m));
    },
    stop: async () => {
      await webLogin.stop();
      await manager.stop();
    },
    flush: async () => {
      await replies.flush();
      replies.stop();
    },
    send,
    replyLater,
    outbound: {
      channels: () => [...new Set(manager.status().map((s) => s.channel))],
      send: async (channel, accountId, to, text) => {
        const out = await send(channel, accountId ?? "default", to, text);
        if (!out.sent) return out;
        return { sent: true, ...(out.messageIds[0] !== undefined ? { messageId: out.messageIds[0] } : {}) };
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
