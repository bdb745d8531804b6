import { errorMessage } from "../errors/index.js";
import type { Logger } from "../logging/index.js";
import { isStorageFault, type InboundQueue } from "../store/index.js";

/** Wait before queued updates are handed over again after a storage fault (ms). */
export const INBOUND_STORAGE_RETRY_MS = 2_000;
/** Most updates waiting to be handled before bounded offers (webhooks, sockets) are refused. */
export const INBOUND_QUEUE_MAX = 1000;

/** What {@link DurableInbound} is built with. */
export interface DurableInboundOptions {
  /** The account's durable inbound queue (state store). */
  readonly queue: InboundQueue;
  readonly log: Logger;
  /**
   * Handles one queued payload (normalize, hand to the sink). Resolving marks the update handled;
   * a storage fault keeps it queued (handed over again a little later); any other failure counts as
   * a failed attempt (after `INBOUND_MAX_ATTEMPTS` the update is set aside as `failed`).
   */
  readonly process: (payload: unknown, updateId: string) => Promise<void>;
  /** An error's text for the log (the adapter masks its credentials). Default: the message. */
  readonly scrub?: (err: unknown) => string;
}

/** One platform update as offered: the platform's own id for it (the deduplication key) and its payload (JSON). */
export interface InboundOffer {
  readonly updateId: string;
  readonly payload: unknown;
}

/**
 * The at-least-once inbound path every channel adapter shares, over the account's durable
 * {@link InboundQueue}:
 *
 * 1. {@link offer}: the adapter queues what the platform delivered (with the platform cursor, if any)
 *    in one commit — and only when that returned true acknowledges it to the platform (Telegram's
 *    next `getUpdates` offset or webhook 200, Slack's Socket Mode ack or Events API 200). An id seen
 *    before is not queued again (platform redeliveries, Discord RESUME replays).
 * 2. Queued updates are handed to `process` one at a time, in arrival order, and marked handled
 *    after it returns. After a crash they are handed over again at the next {@link open} (the run
 *    ledger turns a repeat into the same run, and the outbox into the same reply).
 *
 * Nothing is handed over before {@link open} (the adapter knows the bot's identity) or after
 * {@link stop} (what is still queued waits for the next start).
 */
export class DurableInbound {
  private draining: Promise<void> | undefined;
  private drainAgain = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private opened = false;
  private stopped = false;

  constructor(private readonly o: DurableInboundOptions) {}

  /**
   * Queues `items` (and `cursor`, in the same commit) and starts handing them over. Never throws.
   * @param opts.bounded refuse (false) when {@link INBOUND_QUEUE_MAX} updates already wait
   * @returns true when every item is stored (new or seen before): the platform may be told it was
   *   received; false when nothing was stored (storage fault, queue full): do not acknowledge it
   */
  offer(items: readonly InboundOffer[], opts: { cursor?: string; bounded?: boolean } = {}): boolean {
    if (items.length === 0) return true;
    try {
      if (opts.bounded && this.o.queue.stats().queued >= INBOUND_QUEUE_MAX) {
        this.o.log.warn(this.at({ queued: INBOUND_QUEUE_MAX }), `${this.o.queue.channel} update refused: queue full`);
        return false;
      }
      const fresh = this.o.queue.enqueue(items, opts.cursor);
      if (fresh.length < items.length)
        this.o.log.debug(this.at({ duplicates: items.length - fresh.length }), "inbound redelivery skipped");
    } catch (err) {
      this.o.log.warn(this.at({ err: this.text(err) }), `${this.o.queue.channel} update not queued`);
      return false;
    }
    this.kick();
    return true;
  }

  /** Starts handing queued updates over (those left from before a restart first). */
  open(): void {
    this.opened = true;
    this.kick();
  }

  /** Resolves when no hand-over pass is running. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Stops handing over; waits for the update being processed. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.idle();
  }

  private kick(): void {
    if (!this.opened || this.stopped) return;
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.drainAgain) {
        this.drainAgain = false;
        this.kick();
      }
    });
  }

  /** Hands queued updates over in order; each is marked handled after `process` returns. Never throws. */
  private async drain(): Promise<void> {
    const queue = this.o.queue;
    while (!this.stopped) {
      let item;
      try {
        item = queue.pending(1)[0];
      } catch {
        return this.retryLater();
      }
      if (!item) return;
      try {
        await this.o.process(item.payload, item.updateId);
        queue.done(item.seq);
      } catch (err) {
        if (isStorageFault(err)) {
          this.o.log.warn(
            this.at({ updateId: item.updateId, err: this.text(err) }),
            `${queue.channel} update kept queued: the state store cannot take it now`,
          );
          return this.retryLater();
        }
        this.o.log.error(this.at({ updateId: item.updateId, err: this.text(err) }), `${queue.channel} update failed`);
        try {
          queue.failed(item.seq, this.text(err));
        } catch {
          return this.retryLater();
        }
      }
    }
  }

  private retryLater(): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, INBOUND_STORAGE_RETRY_MS);
    this.retryTimer.unref();
  }

  private at(extra: Record<string, unknown>): Record<string, unknown> {
    return { accountId: this.o.queue.accountId, ...extra };
  }

  private text(err: unknown): string {
    return this.o.scrub ? this.o.scrub(err) : errorMessage(err);
  }
}
