import { errorMessage, isHoldfastError } from "../errors/index.js";
import type { Logger } from "../logging/index.js";
import { isStorageFault, type Outbox, type OutboxChunk } from "../store/index.js";
import type { ChannelAdapter, OutboundMessage } from "./adapter.js";

/** Wait before the outbox is tried again after a failed send or a storage fault (ms). */
const RETRY_MS = 3_000;
/** Attempts after which a chunk the platform keeps refusing is set aside as failed. */
const MAX_ATTEMPTS = 5;

/**
 * Sends one channel account's outbox, in order, each chunk once: the chunk is marked `sending`
 * (committed) before the platform call and `sent` with the platform message id after it, so a
 * restart resends only what the platform never confirmed. A failed send or a storage fault stops the
 * pass (order is kept) and the outbox is tried again a few seconds later.
 */
export class OutboxSender {
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly outbox: Outbox,
    private readonly adapter: () => ChannelAdapter | undefined,
    private readonly log: Logger,
  ) {}

  /** Starts a pass over the due chunks (or queues one after the running pass). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((err: unknown) => this.log.error({ err: errorMessage(err) }, "outbox pass failed"))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves when no pass is running (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops retry timers (shutdown); a running pass finishes its current chunk. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async pass(): Promise<void> {
    for (;;) {
      const adapter = this.adapter();
      if (!adapter) return;
      let due: OutboxChunk[];
      try {
        due = this.outbox.due(20);
      } catch {
        return this.retryLater();
      }
      if (due.length === 0) return;
      for (const chunk of due) if (!(await this.sendOne(adapter, chunk))) return this.retryLater();
    }
  }

  /** Sends one chunk; false when the pass must stop. */
  private async sendOne(adapter: ChannelAdapter, chunk: OutboxChunk): Promise<boolean> {
    const at = {
      channel: this.outbox.channel,
      accountId: this.outbox.accountId,
      replyKey: chunk.replyKey,
      chunk: chunk.chunk,
    };
    if (chunk.state === "sending")
      this.log.warn(at, "resending a reply chunk whose delivery was not confirmed before the restart");
    try {
      this.outbox.markSending(chunk.seq);
    } catch {
      return false;
    }
    let ids: string[];
    try {
      ids = await adapter.send(toMessage(chunk));
    } catch (err) {
      const giveUp = chunk.attempts + 1 >= MAX_ATTEMPTS;
      this.log.warn(
        {
          ...at,
          attempts: chunk.attempts + 1,
          giveUp,
          code: isHoldfastError(err) ? err.code : undefined,
          err: errorMessage(err),
        },
        giveUp ? "reply chunk could not be sent; giving up" : "reply chunk could not be sent; will retry",
      );
      try {
        this.outbox.markFailed(chunk.seq, errorMessage(err), giveUp);
      } catch {
        // The chunk stays `sending` and is retried; the store is degraded and says so.
      }
      return giveUp;
    }
    try {
      this.outbox.markSent(chunk.seq, ids[0]);
    } catch (err) {
      if (!isStorageFault(err)) throw err;
      this.log.error(at, "a sent reply chunk could not be recorded as sent; it may be sent again");
      return false;
    }
    return true;
  }

  private retryLater(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, RETRY_MS);
    this.timer.unref();
  }
}

function toMessage(chunk: OutboxChunk): OutboundMessage {
  const t = chunk.target;
  return {
    chatId: String(t["chatId"]),
    text: chunk.text,
    ...(chunk.chunk === 0 && t["replyTo"] !== undefined ? { replyTo: String(t["replyTo"]) } : {}),
    ...(t["threadId"] !== undefined ? { threadId: String(t["threadId"]) } : {}),
  };
}
