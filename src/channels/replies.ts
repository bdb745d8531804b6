import type { RunManager } from "../agent/index.js";
import { errorMessage, isHoldfastError } from "../errors/index.js";
import type { Logger } from "../logging/index.js";
import type { Route } from "../routing/index.js";
import type { ChannelAdapter, InboundMessage, OutboundMessage } from "./adapter.js";

/** Dependencies of {@link ReplyDispatcher}. */
export interface ReplyDeps {
  readonly runs: Pick<RunManager, "start">;
  readonly log: Logger;
  /** The adapter of an account at delivery time (undefined when it is gone). */
  readonly adapter: (channel: string, accountId: string) => ChannelAdapter | undefined;
  /** The outbound leak scan, applied to every text before it is sent. Default: none. */
  readonly guardOutbound?: (text: string) => string;
}

/**
 * Starts agent runs for admitted messages and sends each run's final text back through the channel
 * the message came from: in groups as a reply to the message, in DMs plainly. A failed run earns a
 * short note with its catalogue code (details stay in the log); an aborted run stays silent.
 */
export class ReplyDispatcher {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly deps: ReplyDeps) {}

  /** Starts the run (per-session serialized by the run manager) and schedules its reply. */
  startRun(msg: InboundMessage, route: Route, senderId: string, text: string): void {
    let final: string | undefined;
    let failure: string | undefined;
    let run: ReturnType<ReplyDeps["runs"]["start"]>;
    try {
      run = this.deps.runs.start({
        agentId: route.agentId,
        sessionKey: route.sessionKey,
        message: text,
        idempotencyKey: `${msg.channel}:${msg.accountId}:${msg.chatId}:${msg.messageId}`,
        sender: {
          channel: msg.channel,
          id: senderId,
          ...(msg.senderName ? { name: msg.senderName } : {}),
          accountId: msg.accountId,
          chatType: msg.chatType,
          chatId: msg.chatId,
        },
        origin: {
          channel: msg.channel,
          chatType: msg.chatType,
          ...(msg.chatType === "direct" && msg.senderName ? { displayName: msg.senderName } : {}),
        },
        onEvent: (ev) => {
          if (ev.event.type === "final") final = ev.event.text;
          if (ev.event.type === "error" && ev.event.code !== "HF_RUN_ABORTED") failure = ev.event.code;
        },
      });
    } catch (err) {
      this.deps.log.warn(
        {
          channel: msg.channel,
          accountId: msg.accountId,
          code: isHoldfastError(err) ? err.code : undefined,
          err: errorMessage(err),
        },
        "could not start a run for an inbound message",
      );
      return;
    }
    if (run.deduped) return;
    const reply = (t: string): OutboundMessage => ({
      chatId: msg.chatId,
      text: t,
      ...(msg.chatType === "group" ? { replyTo: msg.messageId } : {}),
      ...(msg.threadId ? { threadId: msg.threadId } : {}),
    });
    this.track(
      run.done.then(async () => {
        const adapter = this.deps.adapter(msg.channel, msg.accountId);
        if (!adapter) return;
        if (final !== undefined && final.trim() !== "") await this.sendText(adapter, reply(final));
        else if (failure) await this.sendText(adapter, reply(`holdfast: sorry, I could not answer that (${failure}).`));
      }),
    );
  }

  /** Sends through `adapter`; failures are logged (no content), never thrown. */
  async sendText(adapter: ChannelAdapter, out: OutboundMessage): Promise<void> {
    try {
      await adapter.send(this.deps.guardOutbound ? { ...out, text: this.deps.guardOutbound(out.text) } : out);
    } catch (err) {
      this.deps.log.warn(
        {
          channel: adapter.channel,
          accountId: adapter.accountId,
          chatId: out.chatId,
          code: isHoldfastError(err) ? err.code : undefined,
          err: errorMessage(err),
        },
        "channel send failed",
      );
    }
  }

  /** Waits for every scheduled reply (shutdown). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private track(p: Promise<void>): void {
    const tracked: Promise<void> = p
      .catch((err: unknown) => this.deps.log.warn({ err: errorMessage(err) }, "reply delivery failed"))
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }
}
