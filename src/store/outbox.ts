import { sealed, unsealed } from "./sealed-columns.js";
import type { SqliteDatabase, StateDb } from "./state-db.js";

/** Where a reply goes on the platform (JSON; e.g. `{chatId, replyTo?, threadId?}` for Telegram). */
export type ReplyTarget = Readonly<Record<string, string | number | boolean | undefined>>;

/** A reply owed for an inbound update whose text is not known yet. */
export interface ReplyReservation {
  readonly replyKey: string;
  /** The run whose outcome becomes the reply (absent for replies not tied to a run). */
  readonly runId?: string;
  readonly target: ReplyTarget;
  readonly createdAt: number;
}

/**
 * One chunk of a planned reply. `state`: `pending` (never tried), `sending` (a send was started and
 * not confirmed: after a crash the platform may or may not have it), `sent`, `failed` (gave up).
 */
export interface OutboxChunk {
  readonly seq: number;
  readonly replyKey: string;
  readonly chunk: number;
  /** Number of chunks of this reply. */
  readonly of: number;
  readonly target: ReplyTarget;
  readonly text: string;
  readonly state: "pending" | "sending" | "sent" | "failed";
  readonly attempts: number;
  readonly platformId?: string;
}

/** Counts of one account's outbox. */
export interface OutboxStats {
  readonly awaiting: number;
  readonly pending: number;
  readonly unconfirmed: number;
  readonly sent: number;
  readonly failed: number;
}

/** Sent chunks and planned replies kept (so a late retry finds them): 7 days. */
export const OUTBOX_RETENTION_MS = 7 * 24 * 3_600_000;

interface Row {
  seq: number;
  reply_key: string;
  chunk: number;
  of: number;
  target: string;
  text: string;
  state: OutboxChunk["state"];
  attempts: number;
  platform_id: string | null;
}

const CHUNK_COLUMNS = `seq, reply_key, chunk, target, text, state, attempts, platform_id,
  (SELECT COUNT(*) FROM channel_outbox o2 WHERE o2.channel = o.channel AND o2.account_id = o.account_id AND o2.reply_key = o.reply_key) AS of`;

function fromRow(r: Row): OutboxChunk {
  return {
    seq: r.seq,
    replyKey: r.reply_key,
    chunk: r.chunk,
    of: r.of,
    target: JSON.parse(r.target) as ReplyTarget,
    text: unsealed("channel_outbox", "text", r.text),
    state: r.state,
    attempts: r.attempts,
    ...(r.platform_id !== null ? { platformId: r.platform_id } : {}),
  };
}

/**
 * The outbox of one channel account: replies are sent at least once and each chunk exactly once.
 *
 * Flow: when an inbound update's run is admitted, its reply is {@link reserve}d (reply key = the
 * update's key). When the run ends, the reply text is split and {@link plan}ned as chunks (once: a
 * second plan for the same key is ignored). A sender takes {@link due} chunks in order, marks each
 * {@link markSending} before the platform call and {@link markSent} (with the platform's message id)
 * after it. A restart resends `pending` chunks and those left `sending` (unconfirmed), and never a
 * `sent` one. Reservations whose run finished while the process was down are found with
 * {@link awaiting} and planned from the run ledger.
 * All methods throw HoldfastError HF_STATE_* on storage failures.
 */
export class Outbox {
  constructor(
    private readonly db: StateDb,
    readonly channel: string,
    readonly accountId: string,
  ) {}

  /**
   * Records that a reply is owed for `replyKey` (idempotent: the first reservation wins). `sync`
   * `deferred`: committed without an fsync of its own, fsynced with the next durable commit
   * ({@link StateDb.runDeferredSync}), for a reservation whose inbound message stays in the fsynced
   * inbound queue until it is handled (a power loss hands it over again). Default `full`.
   */
  reserve(replyKey: string, target: ReplyTarget, runId?: string, sync: "full" | "deferred" = "full"): void {
    const write = sync === "deferred" ? this.db.runDeferredSync.bind(this.db) : this.db.run.bind(this.db);
    write("reserving a reply", (d) =>
      d
        .prepare(
          "INSERT OR IGNORE INTO channel_replies (channel, account_id, reply_key, run_id, target, state, created_at) VALUES (?, ?, ?, ?, ?, 'awaiting', ?)",
        )
        .run(this.channel, this.accountId, replyKey, runId ?? null, JSON.stringify(target), this.db.now()),
    );
  }

  /** The reservation of `replyKey`, and whether its chunks are planned. */
  reservation(replyKey: string): (ReplyReservation & { planned: boolean }) | undefined {
    const row = this.db.run("reading the outbox", (d) =>
      d
        .prepare(
          "SELECT reply_key, run_id, target, state, created_at FROM channel_replies WHERE channel = ? AND account_id = ? AND reply_key = ?",
        )
        .get(this.channel, this.accountId, replyKey),
    ) as { reply_key: string; run_id: string | null; target: string; state: string; created_at: number } | undefined;
    if (!row) return undefined;
    return {
      replyKey: row.reply_key,
      ...(row.run_id !== null ? { runId: row.run_id } : {}),
      target: JSON.parse(row.target) as ReplyTarget,
      createdAt: row.created_at,
      planned: row.state === "planned",
    };
  }

  /** Reservations whose reply is not planned yet, oldest first. */
  awaiting(): ReplyReservation[] {
    const rows = this.db.run("reading the outbox", (d) =>
      d
        .prepare(
          "SELECT reply_key, run_id, target, created_at FROM channel_replies WHERE channel = ? AND account_id = ? AND state = 'awaiting' ORDER BY created_at, reply_key",
        )
        .all(this.channel, this.accountId),
    ) as { reply_key: string; run_id: string | null; target: string; created_at: number }[];
    return rows.map((r) => ({
      replyKey: r.reply_key,
      ...(r.run_id !== null ? { runId: r.run_id } : {}),
      target: JSON.parse(r.target) as ReplyTarget,
      createdAt: r.created_at,
    }));
  }

  /**
   * Plans the chunks of the reply for `replyKey` (creating its reservation if there was none) and
   * marks it planned, in one commit. A reply already planned is left as it is. The commit is fsynced
   * with the next durable one ({@link StateDb.txDeferredSync}; at the latest by {@link markSent}'s fsync
   * after the first chunk is delivered): a power loss before that plans the reply again from the run ledger.
   * @returns true when the chunks were planned by this call
   */
  plan(replyKey: string, target: ReplyTarget, chunks: readonly string[]): boolean {
    return this.db.txDeferredSync("planning a reply", (d) => {
      const state = d
        .prepare("SELECT state FROM channel_replies WHERE channel = ? AND account_id = ? AND reply_key = ?")
        .get(this.channel, this.accountId, replyKey) as { state: string } | undefined;
      if (state?.state === "planned") return false;
      const now = this.db.now();
      const ins = d.prepare(
        "INSERT OR IGNORE INTO channel_outbox (channel, account_id, reply_key, chunk, target, text, state, created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)",
      );
      const t = JSON.stringify(target);
      chunks.forEach((text, i) =>
        ins.run(this.channel, this.accountId, replyKey, i, t, sealed("channel_outbox", "text", text), now),
      );
      this.markPlanned(d, replyKey, t, now);
      return true;
    });
  }

  /** Chunks to send (pending or unconfirmed), in planning order. */
  due(limit = 50): OutboxChunk[] {
    const rows = this.db.run("reading the outbox", (d) =>
      d
        .prepare(
          `SELECT ${CHUNK_COLUMNS} FROM channel_outbox o WHERE channel = ? AND account_id = ? AND state IN ('pending', 'sending') ORDER BY seq LIMIT ?`,
        )
        .all(this.channel, this.accountId, limit),
    ) as Row[];
    return rows.map(fromRow);
  }

  /** Every chunk of one reply, in order. */
  chunks(replyKey: string): OutboxChunk[] {
    const rows = this.db.run("reading the outbox", (d) =>
      d
        .prepare(
          `SELECT ${CHUNK_COLUMNS} FROM channel_outbox o WHERE channel = ? AND account_id = ? AND reply_key = ? ORDER BY chunk`,
        )
        .all(this.channel, this.accountId, replyKey),
    ) as Row[];
    return rows.map(fromRow);
  }

  /**
   * Records that a send of chunk `seq` starts now (committed before the platform call; fsynced with
   * {@link markSent}: a chunk that lost this mark to a power loss is `pending`, and is resent like an
   * unconfirmed one).
   */
  markSending(seq: number): void {
    this.db.runDeferredSync("updating the outbox", (d) =>
      d
        .prepare(
          "UPDATE channel_outbox SET state = 'sending', attempts = attempts + 1 WHERE seq = ? AND state != 'sent'",
        )
        .run(seq),
    );
  }

  /**
   * Records the platform's confirmation of chunk `seq`: committed at once and fsynced, with every
   * write before it, off the main thread right after ({@link StateDb.runSyncedSoon}).
   */
  markSent(seq: number, platformId?: string): void {
    this.db.runSyncedSoon("updating the outbox", (d) =>
      d
        .prepare(
          "UPDATE channel_outbox SET state = 'sent', platform_id = ?, sent_at = ?, last_error = NULL WHERE seq = ?",
        )
        .run(platformId ?? null, this.db.now(), seq),
    );
  }

  /**
   * Records a failed send. `giveUp` sets the chunk aside as `failed` (the platform refused it for
   * good); otherwise it stays due (`pending`) for a later retry.
   */
  markFailed(seq: number, error: string, giveUp: boolean): void {
    this.db.run("updating the outbox", (d) =>
      d
        .prepare("UPDATE channel_outbox SET state = ?, last_error = ? WHERE seq = ? AND state != 'sent'")
        .run(giveUp ? "failed" : "pending", error.slice(0, 500), seq),
    );
  }

  /** Outbox counts for status. */
  stats(): OutboxStats {
    return this.db.run("reading the outbox", (d) => {
      const rows = d
        .prepare("SELECT state, COUNT(*) AS n FROM channel_outbox WHERE channel = ? AND account_id = ? GROUP BY state")
        .all(this.channel, this.accountId) as { state: string; n: number }[];
      const n = (s: string) => rows.find((r) => r.state === s)?.n ?? 0;
      const awaiting = d
        .prepare(
          "SELECT COUNT(*) AS n FROM channel_replies WHERE channel = ? AND account_id = ? AND state = 'awaiting'",
        )
        .get(this.channel, this.accountId) as { n: number };
      return {
        awaiting: awaiting.n,
        pending: n("pending"),
        unconfirmed: n("sending"),
        sent: n("sent"),
        failed: n("failed"),
      };
    });
  }

  /** Deletes sent or failed chunks and planned replies older than `retentionMs`. Returns chunks deleted. */
  prune(retentionMs = OUTBOX_RETENTION_MS): number {
    const cutoff = this.db.now() - retentionMs;
    return this.db.tx("pruning the outbox", (d) => {
      const gone = d
        .prepare(
          "DELETE FROM channel_outbox WHERE channel = ? AND account_id = ? AND state IN ('sent', 'failed') AND created_at < ?",
        )
        .run(this.channel, this.accountId, cutoff).changes;
      d.prepare(
        "DELETE FROM channel_replies WHERE channel = ? AND account_id = ? AND state = 'planned' AND created_at < ? AND NOT EXISTS (SELECT 1 FROM channel_outbox o WHERE o.channel = channel_replies.channel AND o.account_id = channel_replies.account_id AND o.reply_key = channel_replies.reply_key)",
      ).run(this.channel, this.accountId, cutoff);
      return gone;
    });
  }

  private markPlanned(d: SqliteDatabase, replyKey: string, target: string, now: number): void {
    d.prepare(
      "INSERT INTO channel_replies (channel, account_id, reply_key, run_id, target, state, created_at) VALUES (?, ?, ?, NULL, ?, 'planned', ?) ON CONFLICT(channel, account_id, reply_key) DO UPDATE SET state = 'planned'",
    ).run(this.channel, this.accountId, replyKey, target, now);
  }
}
