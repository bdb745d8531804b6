import type { SecurityTrail } from "../trail/index.js";
import {
  decideIngress,
  EMPTY_ALLOW_LIST,
  mentionRegexesFor,
  normalizeSenderId,
  pairingReplyText,
  parseAllowList,
  type AccessPolicy,
  type IngressResult,
  type PairingStore,
} from "../access/index.js";
import type { AgentEntry } from "../config/index.js";
import type { ChatCommandRegistry } from "../commands/index.js";
import { errorMessage } from "../errors/index.js";
import type { Logger } from "../logging/index.js";
import type { DmScope, Route, Router } from "../routing/index.js";
import type { ChannelAdapter, InboundMessage } from "./adapter.js";
import { mediaTooLargeText, oversizedMedia, saveInboundMedia, type MediaSaver } from "./media.js";
import type { ReplyDispatcher } from "./replies.js";
import { isStorageFault } from "../store/index.js";

/** What the pipeline knows about one running channel account. */
export interface AccountRuntime {
  readonly adapter: ChannelAdapter;
  readonly policy: AccessPolicy;
  /** `channels.<ch>[.accounts.<id>].dmScope`. */
  readonly dmScope?: DmScope;
  /** `mediaMaxMb` in bytes. */
  readonly mediaMaxBytes: number;
}

/** Dependencies of {@link InboundPipeline}; each is another stage's public interface. */
export interface PipelineDeps {
  readonly log: Logger;
  readonly account: (channel: string, accountId: string) => AccountRuntime | undefined;
  readonly router: Pick<Router, "resolve">;
  readonly agent: (agentId: string) => AgentEntry | undefined;
  readonly commands: ChatCommandRegistry;
  readonly pairing: (channel: string) => PairingStore;
  readonly replies: ReplyDispatcher;
  /** Saves one inbound attachment of a session; returns the path its tools read it at. */
  readonly saveMedia: MediaSaver;
  /** New DM pairing requests are recorded here. */
  readonly trail?: SecurityTrail;
}

/**
 * The inbound pipeline: adapter → access decision → routing → chat commands → agent run → reply.
 * Nothing reaches the agent before access control allowed it; an unknown DM sender under `pairing`
 * gets the pairing challenge (once) and their message is dropped. Decisions are logged at debug with
 * ids and reason codes only, never message content.
 * Source: seeds security-architecture.md "Access Control Model", "Layer 4: Session Isolation".
 */
export class InboundPipeline {
  constructor(private readonly deps: PipelineDeps) {}

  /**
   * Admits or drops one message. Resolves once admitted (the agent's answer is sent later).
   * @throws HoldfastError HF_STATE_* when the message could not be committed (storage fault): the
   *   adapter keeps the update queued and hands it over again; other failures are logged.
   */
  async handle(msg: InboundMessage): Promise<void> {
    try {
      await this.admit(msg);
    } catch (err) {
      if (isStorageFault(err)) throw err;
      this.deps.log.error(
        { channel: msg.channel, accountId: msg.accountId, messageId: msg.messageId, err: errorMessage(err) },
        "inbound message failed",
      );
    }
  }

  private async admit(msg: InboundMessage): Promise<void> {
    const { deps } = this;
    const acct = deps.account(msg.channel, msg.accountId);
    if (!acct) return this.logDecision(msg, "account_not_running", false);
    const senderId = normalizeSenderId(msg.channel, msg.senderId);
    if (senderId === undefined) return this.logDecision(msg, "sender_invalid", false);
    const route = deps.router.resolve({
      channel: msg.channel,
      accountId: msg.accountId,
      chatType: msg.chatType,
      senderId,
      chatId: msg.chatId,
      ...(msg.threadId ? { threadId: msg.threadId } : {}),
      ...(acct.dmScope ? { channelDmScope: acct.dmScope } : {}),
    });
    if (msg.commandForOtherBot) return this.logDecision(msg, "command_for_other_bot", false, route);
    const isCommand = acct.policy.textCommands && deps.commands.isControlCommand(msg.text);
    const underPairing = msg.chatType === "direct" && acct.policy.dmPolicy === "pairing";
    const storeAllow = underPairing
      ? parseAllowList(msg.channel, await deps.pairing(msg.channel).allow.entries(msg.accountId))
      : EMPTY_ALLOW_LIST;
    const senderNames = [msg.senderUsername, msg.senderName].filter((n): n is string => n !== undefined);
    const access = decideIngress(
      acct.policy,
      { ...msg, senderNames },
      {
        storeAllow,
        mentionRegexes: mentionRegexesFor(deps.agent(route.agentId)),
        isControlCommand: isCommand,
      },
    );
    this.logDecision(msg, access.decision.reason, access.decision.allow, route);
    if (!access.decision.allow) {
      if (access.decision.reason === "dm_policy_pairing_required") await this.challenge(msg, senderId, acct);
      return;
    }
    const tooBig = oversizedMedia(msg.media, acct.mediaMaxBytes);
    if (tooBig) return this.refuseMedia(msg, acct, tooBig);
    if (isCommand && (await this.runCommand(msg, acct, { route, access, senderId }))) return;
    const attachments = await this.fetchMedia(msg, acct, route);
    if (attachments === undefined) return;
    const text = [msg.text, ...attachments].filter((t) => t.trim() !== "").join("\n");
    if (text === "") return this.logDecision(msg, "empty_message", false, route);
    deps.replies.startRun(msg, route, { senderId, owner: access.owner }, text);
  }

  private async challenge(msg: InboundMessage, senderId: string, acct: AccountRuntime): Promise<void> {
    const out = await this.deps.pairing(msg.channel).upsert(msg.accountId, senderId, msg.senderName);
    const reason = out.created ? "pairing_challenge_sent" : out.code ? "pairing_repeat_ignored" : "pairing_cap_reached";
    this.deps.log.debug({ channel: msg.channel, accountId: msg.accountId, senderId, reason }, "pairing");
    if (out.created)
      void this.deps.trail?.record({
        type: "pairing.requested",
        subject: { channel: msg.channel, id: senderId },
        details: { channel: msg.channel, accountId: msg.accountId },
      });
    if (out.created)
      await this.deps.replies.sendText(acct.adapter, {
        chatId: msg.chatId,
        text: pairingReplyText(msg.channel, senderId, out.code),
      });
  }

  private async refuseMedia(
    msg: InboundMessage,
    acct: AccountRuntime,
    ref: InboundMessage["media"][number] | undefined,
  ): Promise<void> {
    this.logDecision(msg, "media_too_large", false);
    await this.notify(msg, acct, mediaTooLargeText(ref, acct.mediaMaxBytes));
  }

  /** Sends a short note back to the message's chat, as a reply to it. */
  private notify(msg: InboundMessage, acct: AccountRuntime, text: string): Promise<void> {
    return this.deps.replies.sendText(acct.adapter, {
      chatId: msg.chatId,
      text,
      replyTo: msg.messageId,
      ...(msg.threadId ? { threadId: msg.threadId } : {}),
    });
  }

  /** Runs a control command; false when the text is not handled as one (then it goes to the agent). */
  private async runCommand(
    msg: InboundMessage,
    acct: AccountRuntime,
    { route, access, senderId }: { route: Route; access: IngressResult; senderId: string },
  ): Promise<boolean> {
    const out = await this.deps.commands.execute(msg.text, {
      channel: msg.channel,
      accountId: msg.accountId,
      senderId,
      chatType: msg.chatType,
      chatId: msg.chatId,
      agentId: route.agentId,
      sessionKey: route.sessionKey,
      authorized: access.commandAuthorized,
      owner: access.owner,
    });
    if (!out.handled) return false;
    this.logDecision(msg, out.reason, out.reason === "command_ran", route);
    if (out.reply !== undefined) await this.notify(msg, acct, out.reply);
    return true;
  }

  /** Attachment lines for the agent, or undefined when the message was refused (sender notified). */
  private async fetchMedia(msg: InboundMessage, acct: AccountRuntime, route: Route): Promise<string[] | undefined> {
    if (msg.media.length === 0) return [];
    const target = { agentId: route.agentId, sessionKey: route.sessionKey };
    const saved = await saveInboundMedia(acct.adapter, msg.media, acct.mediaMaxBytes, (bytes, ext) =>
      this.deps.saveMedia(target, bytes, ext),
    );
    if (saved.ok) return saved.lines;
    if (saved.tooLarge) await this.refuseMedia(msg, acct, undefined);
    else {
      this.logDecision(msg, "media_download_failed", false, route);
      await this.notify(msg, acct, "holdfast: I could not download that file. Please try again.");
    }
    return undefined;
  }

  private logDecision(msg: InboundMessage, reason: string, allowed: boolean, route?: Route): void {
    this.deps.log.debug(
      {
        channel: msg.channel,
        accountId: msg.accountId,
        chatType: msg.chatType,
        chatId: msg.chatId,
        senderId: msg.senderId,
        messageId: msg.messageId,
        allow: allowed,
        reason,
        ...(route ? { agentId: route.agentId, sessionKey: route.sessionKey } : {}),
      },
      "ingress decision",
    );
  }
}
