import { sealed, unsealed } from "./sealed-columns.js";
import type { SqliteDatabase, StateDb } from "./state-db.js";

/**
 * Where a run stands in the ledger: `accepted` (the user message is committed; the run may wait behind
 * another of its session) → `running` → `ok` | `error` | `aborted`; `interrupted` when the process
 * ended while it was `accepted` or `running`.
 */
export type LedgerStatus = "accepted" | "running" | "ok" | "error" | "aborted" | "interrupted";

/** How a run ended, as stored (texts are redacted by the caller before they get here). */
export interface RunOutcome {
  /** Final reply text (`ok`), or the partial text shown before the run ended. */
  readonly text?: string;
  /** Catalogue code of the failure (`error`, `aborted`, `interrupted`). */
  readonly code?: string;
  /** User-facing failure message. */
  readonly message?: string;
  readonly stopReason?: string;
  readonly model?: string;
}

/** One ledger row. `message` and `origin` are the JSON values given to {@link RunLedger.admit}. */
export interface LedgerRun {
  readonly runId: string;
  readonly sessionKey: string;
  readonly idempotencyKey?: string;
  readonly status: LedgerStatus;
  readonly message: unknown;
  readonly origin?: unknown;
  readonly outcome?: RunOutcome;
  readonly acceptedAt: number;
  readonly finishedAt?: number;
}

/** What {@link RunLedger.admit} records. */
export interface AdmitInput {
  readonly runId: string;
  readonly sessionKey: string;
  /** Client retry key; unique per session. Absent: the run is recorded but cannot be deduplicated. */
  readonly idempotencyKey?: string;
  /** The user message (JSON-serializable; redacted as in the transcript). */
  readonly message: unknown;
  /** Where the run came from (channel target, connection), JSON-serializable. */
  readonly origin?: unknown;
}

interface Row {
  run_id: string;
  session_key: string;
  idempotency_key: string | null;
  status: LedgerStatus;
  message: string;
  origin: string | null;
  outcome: string | null;
  accepted_at: number;
  finished_at: number | null;
}

const COLUMNS = "run_id, session_key, idempotency_key, status, message, origin, outcome, accepted_at, finished_at";
const OPEN = "('accepted', 'running')";

function fromRow(r: Row): LedgerRun {
  return {
    runId: r.run_id,
    sessionKey: r.session_key,
    ...(r.idempotency_key !== null ? { idempotencyKey: r.idempotency_key } : {}),
    status: r.status,
    message: JSON.parse(unsealed("runs", "message", r.message)) as unknown,
    ...(r.origin !== null ? { origin: JSON.parse(unsealed("runs", "origin", r.origin)) as unknown } : {}),
    ...(r.outcome !== null ? { outcome: JSON.parse(unsealed("runs", "outcome", r.outcome)) as RunOutcome } : {}),
    acceptedAt: r.accepted_at,
    ...(r.finished_at !== null ? { finishedAt: r.finished_at } : {}),
  };
}

/** Finished runs kept for idempotent retries and interruption notices: 7 days. */
export const LEDGER_RETENTION_MS = 7 * 24 * 3_600_000;

/**
 * The idempotency ledger: every accepted user message, committed (fsynced) before the sender is
 * acknowledged. The same (session key, idempotency key) always maps to the first run, across
 * restarts, so a retry returns that run's id and outcome instead of calling the model again. Runs
 * still open when the process died are found by {@link interruptOpen} at the next start.
 * All methods throw HoldfastError HF_STATE_* on storage failures.
 */
export class RunLedger {
  constructor(private readonly db: StateDb) {}

  /**
   * Records a new run, or returns the existing one for the same (sessionKey, idempotencyKey).
   * Resolves only after the commit, so the caller may acknowledge on return.
   */
  admit(input: AdmitInput): { run: LedgerRun; fresh: boolean } {
    return this.db.tx("saving the message", (d) => this.admitIn(d, input));
  }

  /**
   * {@link admit} for a message that is already durable elsewhere until its run is admitted (a
   * channel's inbound queue, fsynced before the platform was acknowledged, and handed over again
   * after a crash until marked handled): the commit is in the log at once (a kill -9 never loses
   * it) and fsynced with the next durable commit ({@link StateDb.txDeferredSync}). After a power
   * loss the queue hands the message over again and it is admitted then. Never for an ack.
   */
  admitDeferred(input: AdmitInput): { run: LedgerRun; fresh: boolean } {
    return this.db.txDeferredSync("saving the message", (d) => this.admitIn(d, input));
  }

  private admitIn(d: SqliteDatabase, input: AdmitInput): { run: LedgerRun; fresh: boolean } {
    if (input.idempotencyKey !== undefined) {
      const seen = d
        .prepare(`SELECT ${COLUMNS} FROM runs WHERE session_key = ? AND idempotency_key = ?`)
        .get(input.sessionKey, input.idempotencyKey) as Row | undefined;
      if (seen) return { run: fromRow(seen), fresh: false };
    }
    const message = JSON.stringify(input.message);
    const origin = input.origin === undefined ? undefined : JSON.stringify(input.origin);
    const acceptedAt = this.db.now();
    d.prepare(
      "INSERT INTO runs (run_id, session_key, idempotency_key, status, message, origin, accepted_at) VALUES (?, ?, ?, 'accepted', ?, ?, ?)",
    ).run(
      input.runId,
      input.sessionKey,
      input.idempotencyKey ?? null,
      sealed("runs", "message", message),
      origin === undefined ? null : sealed("runs", "origin", origin),
      acceptedAt,
    );
    // The row as stored, without reading it back: `message` and `origin` are the values given.
    const run: LedgerRun = {
      runId: input.runId,
      sessionKey: input.sessionKey,
      ...(input.idempotencyKey !== undefined ? { idempotencyKey: input.idempotencyKey } : {}),
      status: "accepted",
      message: input.message,
      ...(input.origin !== undefined ? { origin: input.origin } : {}),
      acceptedAt,
    };
    return { run, fresh: true };
  }

  /**
   * {@link admit} in a group commit ({@link StateDb.grouped}): admissions arriving in the same event
   * loop iteration share one fsynced transaction. Resolves only after that commit, so the caller may
   * acknowledge on resolution; a later admission of the same group sees the earlier ones (a repeated
   * key is found, not inserted twice). `input` may be a function, called inside the group's
   * transaction just before the admission (what it reads of the ledger needs no read of its own and
   * sees the admissions before it).
   * When the group's fsync fails the admission is taken back (deleted while still `accepted`) before
   * the rejection: the caller was refused, so a retry with the same key is a new admission.
   * @throws (rejects with) HoldfastError HF_STATE_* when the admission or the group's commit or fsync
   *   fails, or what `input` throws
   */
  admitGrouped(input: AdmitInput | (() => AdmitInput)): Promise<{ run: LedgerRun; fresh: boolean }> {
    return this.db.grouped(
      "saving the message",
      () => this.admit(typeof input === "function" ? input() : input),
      // Not durable, so not accepted: a retry with the same key admits the message afresh.
      (d, admitted) => {
        if (admitted.fresh)
          d.prepare("DELETE FROM runs WHERE run_id = ? AND status = 'accepted'").run(admitted.run.runId);
      },
    );
  }

  /** Marks an accepted run as running. */
  markRunning(runId: string): void {
    this.db.run("updating the run ledger", (d) =>
      d.prepare("UPDATE runs SET status = 'running' WHERE run_id = ? AND status = 'accepted'").run(runId),
    );
  }

  /**
   * Records how an open run ended. A run already finished (or marked interrupted) keeps its first
   * outcome. Returns false when nothing changed. The commit survives a crash of the process but is
   * fsynced with the next durable commit ({@link StateDb.runDeferredSync}): after a power loss the run
   * can come back as interrupted, never as lost.
   */
  finish(runId: string, status: "ok" | "error" | "aborted", outcome: RunOutcome): boolean {
    const res = this.db.runDeferredSync("recording the run outcome", (d) =>
      d
        .prepare(`UPDATE runs SET status = ?, outcome = ?, finished_at = ? WHERE run_id = ? AND status IN ${OPEN}`)
        .run(status, sealed("runs", "outcome", JSON.stringify(outcome)), this.db.now(), runId),
    );
    return res.changes > 0;
  }

  /** The run with `runId`, or undefined. */
  get(runId: string): LedgerRun | undefined {
    const row = this.db.run("reading the run ledger", (d) =>
      d.prepare(`SELECT ${COLUMNS} FROM runs WHERE run_id = ?`).get(runId),
    ) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** The run recorded for (sessionKey, idempotencyKey), or undefined. */
  byKey(sessionKey: string, idempotencyKey: string): LedgerRun | undefined {
    const row = this.db.run("reading the run ledger", (d) =>
      d
        .prepare(`SELECT ${COLUMNS} FROM runs WHERE session_key = ? AND idempotency_key = ?`)
        .get(sessionKey, idempotencyKey),
    ) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** Runs still `accepted` or `running`, oldest first. */
  open(): LedgerRun[] {
    const rows = this.db.run("reading the run ledger", (d) =>
      d.prepare(`SELECT ${COLUMNS} FROM runs WHERE status IN ${OPEN} ORDER BY seq`).all(),
    ) as Row[];
    return rows.map(fromRow);
  }

  /**
   * Marks every open run as `interrupted` (outcome code HF_RUN_INTERRUPTED) and returns them, oldest
   * first. Called once by the gateway at start, before it accepts work: those runs belonged to a
   * process that is gone.
   */
  interruptOpen(message: string): LedgerRun[] {
    return this.db.tx("marking interrupted runs", (d) => {
      const rows = d.prepare(`SELECT ${COLUMNS} FROM runs WHERE status IN ${OPEN} ORDER BY seq`).all() as Row[];
      const outcome = sealed(
        "runs",
        "outcome",
        JSON.stringify({ code: "HF_RUN_INTERRUPTED", message } satisfies RunOutcome),
      );
      d.prepare(`UPDATE runs SET status = 'interrupted', outcome = ?, finished_at = ? WHERE status IN ${OPEN}`).run(
        outcome,
        this.db.now(),
      );
      return rows.map((r) => ({
        ...fromRow(r),
        status: "interrupted" as const,
        outcome: { code: "HF_RUN_INTERRUPTED", message },
      }));
    });
  }

  /** Runs of a session, newest first (for status and tests). */
  ofSession(sessionKey: string, limit = 50): LedgerRun[] {
    const rows = this.db.run("reading the run ledger", (d) =>
      d.prepare(`SELECT ${COLUMNS} FROM runs WHERE session_key = ? ORDER BY seq DESC LIMIT ?`).all(sessionKey, limit),
    ) as Row[];
    return rows.map(fromRow);
  }

  /** Deletes finished runs accepted before `now - retentionMs`. Returns how many. */
  prune(retentionMs = LEDGER_RETENTION_MS): number {
    const cutoff = this.db.now() - retentionMs;
    return this.db.run("pruning the run ledger", (d) =>
      d.prepare(`DELETE FROM runs WHERE accepted_at < ? AND status NOT IN ${OPEN}`).run(cutoff),
    ).changes;
  }
}
