import { sealed, unsealed } from "./sealed-columns.js";
import type { SqliteDatabase, StateDb } from "./state-db.js";

/** A queued inbound platform update. */
export interface InboundItem {
  /** Queue position (unique, increasing in arrival order). */
  readonly seq: number;
  readonly updateId: string;
  /** The platform update as given to {@link InboundQueue.enqueue} (JSON). */
  readonly payload: unknown;
  /** Processing attempts that failed so far. */
  readonly attempts: number;
  readonly receivedAt: number;
}

/** Counts of one account's inbound queue. */
export interface InboundStats {
  readonly queued: number;
  readonly failed: number;
  readonly done: number;
}

/** Attempts after which an update that keeps failing is set aside as `failed` (default). */
export const INBOUND_MAX_ATTEMPTS = 5;
/** Handled update ids kept for deduplication (payloads are cleared once handled): 7 days. */
export const INBOUND_RETENTION_MS = 7 * 24 * 3_600_000;

interface Row {
  seq: number;
  update_id: string;
  payload: string;
  attempts: number;
  received_at: number;
}

/**
 * The durable inbound queue of one channel account (Telegram today; any channel with platform update
 * ids). Delivery from the platform is at least once: an update is enqueued — and the platform cursor
 * advanced — in one commit before the platform is told it was received, then processed, then marked
 * {@link done}. After a crash, {@link pending} returns what was queued but not done, in order; the
 * same update id is never queued twice. Processing must be idempotent (the run ledger makes it so:
 * a re-processed message finds its run by idempotency key).
 * All methods throw HoldfastError HF_STATE_* on storage failures.
 */
export class InboundQueue {
  constructor(
    private readonly db: StateDb,
    readonly channel: string,
    readonly accountId: string,
  ) {}

  /**
   * Queues a batch of updates (duplicates of ids already seen are skipped) and, in the same commit,
   * stores `cursor` (e.g. Telegram's next `getUpdates` offset). Returns the ids that were new.
   */
  enqueue(items: readonly { updateId: string; payload: unknown }[], cursor?: string): string[] {
    return this.db.tx("queueing inbound updates", (d) => {
      const ins = d.prepare(
        "INSERT OR IGNORE INTO channel_inbound (channel, account_id, update_id, payload, state, received_at) VALUES (?, ?, ?, ?, 'queued', ?)",
      );
      const fresh: string[] = [];
      const now = this.db.now();
      for (const it of items) {
        if (
          ins.run(
            this.channel,
            this.accountId,
            it.updateId,
            sealed("channel_inbound", "payload", JSON.stringify(it.payload)),
            now,
          ).changes > 0
        )
          fresh.push(it.updateId);
      }
      if (cursor !== undefined) this.writeCursor(d, cursor);
      return fresh;
    });
  }

  /** True when `updateId` was queued before (handled or not). */
  seen(updateId: string): boolean {
    return (
      this.db.run("reading the inbound queue", (d) =>
        d
          .prepare("SELECT 1 FROM channel_inbound WHERE channel = ? AND account_id = ? AND update_id = ?")
          .get(this.channel, this.accountId, updateId),
      ) !== undefined
    );
  }

  /** The stored platform cursor, if any. */
  cursor(): string | undefined {
    const row = this.db.run("reading the channel cursor", (d) =>
      d
        .prepare("SELECT cursor FROM channel_cursor WHERE channel = ? AND account_id = ?")
        .get(this.channel, this.accountId),
    ) as { cursor: string } | undefined;
    return row?.cursor;
  }

  /** Stores the platform cursor. */
  setCursor(cursor: string): void {
    this.db.run("saving the channel cursor", (d) => this.writeCursor(d, cursor));
  }

  /** Updates queued and not yet done, in arrival order. */
  pending(limit = 100): InboundItem[] {
    const rows = this.db.run("reading the inbound queue", (d) =>
      d
        .prepare(
          "SELECT seq, update_id, payload, attempts, received_at FROM channel_inbound WHERE channel = ? AND account_id = ? AND state = 'queued' ORDER BY seq LIMIT ?",
        )
        .all(this.channel, this.accountId, limit),
    ) as Row[];
    return rows.map((r) => ({
      seq: r.seq,
      updateId: r.update_id,
      payload: JSON.parse(unsealed("channel_inbound", "payload", r.payload)) as unknown,
      attempts: r.attempts,
      receivedAt: r.received_at,
    }));
  }

  /**
   * Marks an update handled and drops its payload (only the id is kept, for deduplication). Fsynced
   * with the next durable commit ({@link StateDb.runDeferredSync}): after a power loss the update may
   * be handed over again, which the run ledger and the outbox turn into the same run and reply.
   */
  done(seq: number): void {
    this.db.runDeferredSync("marking an inbound update handled", (d) =>
      d
        .prepare(
          "UPDATE channel_inbound SET state = 'done', payload = '{}', done_at = ?, last_error = NULL WHERE seq = ?",
        )
        .run(this.db.now(), seq),
    );
  }

  /**
   * Records a failed processing attempt. After `maxAttempts` the update is set aside as `failed`
   * (payload kept for inspection) so one bad update cannot block the queue.
   * @returns `retry` when it stays queued, `dropped` when it was set aside
   */
  failed(seq: number, error: string, maxAttempts = INBOUND_MAX_ATTEMPTS): "retry" | "dropped" {
    return this.db.tx("recording an inbound failure", (d) => {
      d.prepare("UPDATE channel_inbound SET attempts = attempts + 1, last_error = ? WHERE seq = ?").run(
        error.slice(0, 500),
        seq,
      );
      const row = d.prepare("SELECT attempts FROM channel_inbound WHERE seq = ?").get(seq) as
        { attempts: number } | undefined;
      if (!row || row.attempts < maxAttempts) return "retry";
      d.prepare("UPDATE channel_inbound SET state = 'failed', done_at = ? WHERE seq = ?").run(this.db.now(), seq);
      return "dropped";
    });
  }

  /** Queue counts for status. */
  stats(): InboundStats {
    const rows = this.db.run("reading the inbound queue", (d) =>
      d
        .prepare("SELECT state, COUNT(*) AS n FROM channel_inbound WHERE channel = ? AND account_id = ? GROUP BY state")
        .all(this.channel, this.accountId),
    ) as { state: string; n: number }[];
    const n = (s: string) => rows.find((r) => r.state === s)?.n ?? 0;
    return { queued: n("queued"), failed: n("failed"), done: n("done") };
  }

  /** Deletes handled or failed updates older than `retentionMs`. Returns how many. */
  prune(retentionMs = INBOUND_RETENTION_MS): number {
    return this.db.run("pruning the inbound queue", (d) =>
      d
        .prepare(
          "DELETE FROM channel_inbound WHERE channel = ? AND account_id = ? AND state != 'queued' AND done_at < ?",
        )
        .run(this.channel, this.accountId, this.db.now() - retentionMs),
    ).changes;
  }

  private writeCursor(d: SqliteDatabase, cursor: string): void {
    d.prepare(
      "INSERT INTO channel_cursor (channel, account_id, cursor, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(channel, account_id) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at",
    ).run(this.channel, this.accountId, cursor, this.db.now());
  }
}
