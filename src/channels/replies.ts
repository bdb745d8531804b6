import { INTERRUPTED_NOTICE, type RunManager, type StartedRun } from "../agent/index.js";
import { errorMessage, isHoldfastError } from "../errors/index.js";
import { systemClock, type Clock } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import type { Route } from "../routing/index.js";
import { OWNER, type Provenance } from "../sessions/index.js";
import {
  isStorageFault,
  type ChannelQueues,
  type LedgerRun,
  type ReplyTarget,
  type RunLedger,
} from "../store/index.js";
import type { ChannelAdapter, InboundMessage, OutboundMessage } from "./adapter.js";
import { chunkText } from "./chunk.js";
import { OutboxSender } from "./outbox-sender.js";

/** Dependencies of {@link ReplyDispatcher}. */
export interface ReplyDeps {
  readonly runs: Pick<RunManager, "start">;
  readonly log: Logger;
  /** The adapter of an account at delivery time (undefined when it is gone). */
  readonly adapter: (channel: string, accountId: string) => ChannelAdapter | undefined;
  /** The outbound leak scan, applied to every text before it is sent. Default: none. */
  readonly guardOutbound?: (text: string) => string;
  /** The durable queues of an account (state store). */
  readonly queues: (channel: string, accountId: string) => ChannelQueues;
  /** The run ledger, for replies whose run ended while the process was down. */
  readonly ledger: Pick<RunLedger, "get">;
  /** Time source of the typing refresh ({@link TYPING_REFRESH_MS}). Default: the system clock. */
  readonly clock?: Pick<Clock, "now">;
}

/** Who sent an admitted message: the normalized sender id, and whether it is in `commands.ownerAllowFrom`. */
export interface InboundSender {
  readonly senderId: string;
  readonly owner: boolean;
}

/**
 * The provenance of an admitted message: an owner (`commands.ownerAllowFrom`) in a DM or a group is
 * trusted; any other sender is untrusted, `dm` (`<channel>:<id>`) or `group` (`<channel>:<id> in chat
 * <chatId>`). Source: issue "Untrusted-content taint"; docs/tools.md "Untrusted content".
 */
export function inboundProvenance(msg: InboundMessage, who: InboundSender): Provenance {
  if (who.owner) return OWNER;
  const source = `${msg.channel}:${who.senderId}`;
  return msg.chatType === "group"
    ? { kind: "group", source: `${source} in chat ${msg.chatId}` }
    : { kind: "dm", source };
}

/**
 * How often a long run's "typing…" is shown again (ms): Signal clients drop the indicator after about
 * 15 s, Telegram's chat action after 5 s or the next message, Discord's and WhatsApp's after about 10 s.
 */
export const TYPING_REFRESH_MS = 10_000;

/** What the channel user is told when their message's run was interrupted by a restart. */
export const CHANNEL_INTERRUPTED_TEXT = `holdfast: ${INTERRUPTED_NOTICE}.`;

/**
 * Starts agent runs for admitted messages and sends each run's final text back through the channel
 * the message came from: in groups as a reply to the message, in DMs plainly. A failed run earns a
 * short note with its catalogue code (details stay in the log); an aborted run stays silent.
 *
 * Replies are exactly once through the account's outbox: when the run is admitted its reply is
 * reserved (keyed by the message), when it ends the text is planned as chunks, and a sender delivers
 * them. After a restart, reservations whose run ended meanwhile are planned from the run ledger (an
 * interrupted run earns a short notice) and unconfirmed chunks are resent.
 */
export class ReplyDispatcher {
  private readonly pending = new Set<Promise<void>>();
  private readonly senders = new Map<string, OutboxSender>();

  constructor(private readonly deps: ReplyDeps) {}

  /**
   * Starts the run (per-session serialized by the run manager) and reserves its reply. Returns once
   * both are committed.
   * @throws HoldfastError HF_STATE_* when the message or the reservation cannot be committed (the
   *   inbound update then stays queued and is handled again)
   */
  startRun(msg: InboundMessage, route: Route, who: InboundSender, text: string): void {
    const senderId = who.senderId;
    const replyKey = `${msg.chatId}:${msg.messageId}`;
    const target: ReplyTarget = {
      chatId: msg.chatId,
      ...(msg.chatType === "group" ? { replyTo: msg.messageId } : {}),
      ...(msg.threadId ? { threadId: msg.threadId } : {}),
    };
    let final: string | undefined;
    let failure: string | undefined;
    let typedAt: number | undefined;
    let run: StartedRun;
    try {
      run = this.deps.runs.start({
        agentId: route.agentId,
        sessionKey: route.sessionKey,
        message: text,
        provenance: inboundProvenance(msg, who),
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
        notify: { channel: msg.channel, accountId: msg.accountId, replyKey },
        // The message waits in the account's fsynced inbound queue until this returns.
        queued: true,
        onEvent: (ev) => {
          if (ev.event.type === "status") {
            const now = (this.deps.clock ?? systemClock).now();
            if (typedAt === undefined || now - typedAt >= TYPING_REFRESH_MS) {
              typedAt = now;
              this.typing(msg);
            }
          }
          if (ev.event.type === "final") final = ev.event.text;
          if (ev.event.type === "error" && ev.event.code !== "HF_RUN_ABORTED") failure = ev.event.code;
        },
      });
    } catch (err) {
      if (isStorageFault(err)) throw err;
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
    this.follow(msg, { replyKey, target, queued: true }, run, () => ({
      ...(final !== undefined ? { final } : {}),
      ...(failure !== undefined ? { failure } : {}),
    }));
  }

  /**
   * Reserves the reply to `run` (started by the inbound pipeline or by another stage, e.g. a webhook
   * turn) in the account's outbox and plans it when the run ends: its final text, else a failure
   * note ({@link RunEnd}, read when the run is done). A deduplicated run that already ended is planned
   * from the run ledger. After a restart, {@link recover} plans it from the ledger too, so the reply
   * is sent exactly once whatever crashes or channel outages happen meanwhile. `reply.queued`: the
   * message that started the run is still in the account's fsynced inbound queue (handed over again
   * after a crash), so the reservation needs no fsync of its own ({@link Outbox.reserve}).
   * @throws HoldfastError HF_STATE_* when the reservation cannot be committed.
   */
  follow(
    at: { readonly channel: string; readonly accountId: string },
    reply: { readonly replyKey: string; readonly target: ReplyTarget; readonly queued?: boolean },
    run: StartedRun,
    end: () => RunEnd,
  ): void {
    const { outbox } = this.deps.queues(at.channel, at.accountId);
    outbox.reserve(reply.replyKey, reply.target, run.runId, reply.queued ? "deferred" : "full");
    if (run.deduped) {
      if (run.status !== "queued" && run.status !== "started")
        this.recoverOne(at.channel, at.accountId, reply.replyKey);
      return;
    }
    this.track(run.done.then(() => this.plan(at, reply, replyText(end()))));
  }

  /**
   * Start-up: plans the replies of runs that ended while the process was down (from the ledger) and
   * sends every unsent chunk of the account.
   */
  recover(channel: string, accountId: string): void {
    try {
      for (const r of this.deps.queues(channel, accountId).outbox.awaiting())
        this.recoverOne(channel, accountId, r.replyKey);
    } catch (err) {
      this.deps.log.error({ channel, accountId, err: errorMessage(err) }, "pending replies could not be read");
    }
    this.sender(channel, accountId).kick();
  }

  /** Sends through `adapter` at once (pairing challenges, command replies); failures are logged, never thrown. */
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

  /**
   * Shows "typing…" in the message's chat through its adapter (when it can): the run started working.
   * Best effort: a failure is logged at debug and never touches the reply.
   */
  private typing(msg: InboundMessage): void {
    const adapter = this.deps.adapter(msg.channel, msg.accountId);
    if (!adapter?.sendTyping) return;
    const target = { chatId: msg.chatId, ...(msg.threadId ? { threadId: msg.threadId } : {}) };
    void adapter
      .sendTyping(target)
      .catch((err: unknown) =>
        this.deps.log.debug(
          { channel: msg.channel, accountId: msg.accountId, code: isHoldfastError(err) ? err.code : undefined },
          `typing indicator not sent: ${errorMessage(err).slice(0, 200)}`,
        ),
      );
  }

  /** Waits for every scheduled reply to be planned and every outbox pass to end (shutdown). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    await Promise.all([...this.senders.values()].map((s) => s.idle()));
  }

  /** Stops outbox retry timers (after {@link flush}, at shutdown). */
  stop(): void {
    for (const s of this.senders.values()) s.stop();
  }

  private recoverOne(channel: string, accountId: string, replyKey: string): void {
    const { outbox } = this.deps.queues(channel, accountId);
    const r = outbox.reservation(replyKey);
    if (!r || r.planned || !r.runId) return;
    const run = this.deps.ledger.get(r.runId);
    if (!run || run.status === "accepted" || run.status === "running") return;
    this.plan({ channel, accountId }, { replyKey, target: r.target }, replyFromLedger(run));
  }

  private plan(
    at: { readonly channel: string; readonly accountId: string },
    reply: { readonly replyKey: string; readonly target: ReplyTarget },
    text: string | undefined,
  ): void {
    const { channel, accountId } = at;
    const { replyKey, target } = reply;
    const adapter = this.deps.adapter(channel, accountId);
    const guarded = text !== undefined && this.deps.guardOutbound ? this.deps.guardOutbound(text) : text;
    const chunks = guarded === undefined ? [] : chunkText(guarded, adapter?.textLimit ?? 4096);
    try {
      this.deps.queues(channel, accountId).outbox.plan(replyKey, target, chunks);
    } catch (err) {
      this.deps.log.error(
        { channel, accountId, replyKey, code: isHoldfastError(err) ? err.code : undefined },
        "reply could not be queued; it is planned again at the next start",
      );
      return;
    }
    this.sender(channel, accountId).kick();
  }

  private sender(channel: string, accountId: string): OutboxSender {
    const k = `${channel}\u0000${accountId}`;
    let s = this.senders.get(k);
    if (!s) {
      s = new OutboxSender(
        this.deps.queues(channel, accountId).outbox,
        () => this.deps.adapter(channel, accountId),
        this.deps.log,
      );
      this.senders.set(k, s);
    }
    return s;
  }

  private track(p: Promise<void>): void {
    const tracked: Promise<void> = p
      .catch((err: unknown) => this.deps.log.warn({ err: errorMessage(err) }, "reply delivery failed"))
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }
}

/** How a run ended, as its reply needs it: the final text, or the catalogue code of its failure. */
export interface RunEnd {
  readonly final?: string;
  readonly failure?: string;
}

/** The reply for a run's end: its final text, a failure note, or nothing (aborted, empty). */
function replyText(end: RunEnd): string | undefined {
  if (end.final !== undefined && end.final.trim() !== "") return end.final;
  if (end.failure === "HF_RUN_INTERRUPTED") return CHANNEL_INTERRUPTED_TEXT;
  if (end.failure) return `holdfast: sorry, I could not answer that (${end.failure}).`;
  return undefined;
}

function replyFromLedger(run: LedgerRun): string | undefined {
  const o = run.outcome ?? {};
  if (run.status === "ok") return replyText({ ...(o.text !== undefined ? { final: o.text } : {}) });
  if (run.status === "interrupted") return CHANNEL_INTERRUPTED_TEXT;
  if (run.status === "error") return replyText({ failure: o.code ?? "HF_RUN_INTERRUPTED" });
  return undefined;
}
