import { randomUUID } from "node:crypto";
import { HoldfastError } from "../errors/index.js";
import type { Logger } from "../logging/index.js";
import {
  redactDeep,
  type ChatMessage,
  type MessageSender,
  type Provenance,
  type SessionOrigin,
} from "../sessions/index.js";
import type { AdmitInput, LedgerRun, RunLedger, RunOutcome } from "../store/index.js";
import type { AgentEvent } from "./events.js";
import { defaultProvenance } from "./turn-view.js";
import type { AgentLoop, AgentRunRequest } from "./loop.js";

/** An agent event tagged with its run. */
export interface RunEvent {
  readonly runId: string;
  readonly agentId: string;
  readonly sessionKey: string;
  /** Per-run event counter, from 1. */
  readonly seq: number;
  readonly event: AgentEvent;
}

/** A request to answer one message. */
export interface StartRunInput {
  readonly agentId: string;
  readonly sessionKey: string;
  readonly message: string;
  /**
   * Same key (per session) → the same run, started once, across restarts (kept 7 days). The run's id
   * is this key (reference: `runId` = `idempotencyKey`) unless another run already has that id.
   */
  readonly idempotencyKey?: string;
  readonly sender?: AgentRunRequest["sender"] & MessageSender;
  readonly origin?: SessionOrigin;
  /**
   * Where the message came from (stored with it). Absent: the owner when there is no `sender`, else
   * an untrusted message from that sender (fail closed). See docs/tools.md "Untrusted content".
   */
  readonly provenance?: Provenance;
  /** Called with this run's events (in addition to the global listeners). */
  readonly onEvent?: (ev: RunEvent) => void;
  /** Where the run came from, stored with it (JSON): tells whom to notify if it is interrupted. */
  readonly notify?: Readonly<Record<string, unknown>>;
  /**
   * True when the message is already durable in a channel's inbound queue (fsynced before the platform
   * was acknowledged, handed over again after a crash until handled): the admission is then committed
   * without an fsync of its own and reaches the disk with the next durable commit
   * ({@link RunLedger.admitDeferred}). Default false: {@link RunManager.start} returns after an fsync.
   */
  readonly queued?: boolean;
}

/** Where a run stands. `interrupted`: the process that ran it died first (known from the ledger). */
export type RunStatus = "queued" | "started" | "ok" | "error" | "aborted" | "interrupted";

/** The durable ledger the run manager commits to (the state store's {@link RunLedger}). */
export type RunJournal = Pick<RunLedger, "admit" | "admitDeferred" | "admitGrouped" | "finish" | "get">;

/** Options of {@link RunManager}. */
export interface RunManagerOptions {
  readonly loop: Pick<AgentLoop, "run">;
  readonly now: () => number;
  readonly log: Logger;
  readonly ledger: RunJournal;
  /** Applied to the user message and the outcome before they are stored (secret redaction). */
  readonly redact?: (text: string) => string;
}

/** What {@link RunManager.start} returns. */
export interface StartedRun {
  readonly runId: string;
  readonly status: RunStatus;
  /** True when the idempotency key named an earlier run (nothing new was started). */
  readonly deduped: boolean;
  /** Settles when the run has ended (at once for a run of an earlier process). */
  readonly done: Promise<void>;
  /** How an earlier, finished run ended (deduplicated retries). */
  readonly outcome?: RunOutcome;
}

interface RunRecord {
  readonly runId: string;
  readonly sessionKey: string;
  status: RunStatus;
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

/**
 * Starts, deduplicates, serializes and aborts agent runs. Runs of one session execute one after the
 * other (so a transcript never interleaves two turns); different sessions run concurrently.
 *
 * Ack = durable: {@link start} commits the user message and its idempotency key to the run ledger
 * (fsynced) before it returns, so a caller acknowledges only what survives a crash. The same key
 * later — in this process or after a restart — returns the first run's id and outcome and never
 * calls the model again.
 */
export class RunManager {
  private readonly runs = new Map<string, RunRecord>();
  private readonly sessionTails = new Map<string, Promise<void>>();
  private readonly listeners = new Set<(ev: RunEvent) => void>();
  private closing = false;
  private readonly redact: (text: string) => string;

  constructor(private readonly opts: RunManagerOptions) {
    this.redact = opts.redact ?? ((t) => t);
  }

  /** Adds a listener for every run's events (e.g. the gateway's `chat` broadcaster). */
  onEvent(listener: (ev: RunEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Starts (or, for a repeated idempotency key, returns) a run. Returns after the user message is
   * committed to the ledger (a commit and fsync of its own; without the fsync when `input.queued`).
   * @throws HoldfastError HF_SHUTTING_DOWN; HF_STATE_* when the message cannot be committed (nothing
   *   was accepted: the caller reports the error, the client may retry with the same key)
   */
  start(input: StartRunInput): StartedRun {
    const { admit, user } = this.admission(input, this.runIdFor(input.idempotencyKey));
    const ledger = this.opts.ledger;
    return this.launch(input, user, input.queued ? ledger.admitDeferred(admit) : ledger.admit(admit));
  }

  /**
   * {@link start} with the user message committed in a group commit shared with the other messages
   * that arrived in the same event loop iteration ({@link RunLedger.admitGrouped}): resolves only
   * after that commit is fsynced, so the caller acknowledges only what survives a crash, and the run
   * starts only then. Used for `chat.send`, where many clients' messages arrive together.
   * @throws (rejects with) HoldfastError as {@link start}
   */
  async startGrouped(input: StartRunInput): Promise<StartedRun> {
    this.refuseWhenClosing();
    let user: ChatMessage | undefined;
    // The run id is chosen inside the group's transaction: its ledger check sees the admissions of
    // the same group before it and needs no read transaction of its own.
    const admitted = await this.opts.ledger.admitGrouped(() => {
      const a = this.admission(input, this.freeRunId(input.idempotencyKey));
      user = a.user;
      return a.admit;
    });
    return this.launch(input, user as ChatMessage, admitted);
  }

  /** The run id for a new message (see {@link freeRunId}). @throws HoldfastError HF_SHUTTING_DOWN */
  private runIdFor(key: string | undefined): string {
    this.refuseWhenClosing();
    return this.freeRunId(key);
  }

  /** The idempotency key unless another run in the ledger has that id; else a random UUID. */
  private freeRunId(key: string | undefined): string {
    return key !== undefined && key !== "" && !this.opts.ledger.get(key) ? key : randomUUID();
  }

  private refuseWhenClosing(): void {
    if (this.closing)
      throw new HoldfastError("HF_SHUTTING_DOWN", "the gateway is shutting down; retry after it restarts");
  }

  /** The user message of a run and what the ledger records for it (redacted). */
  private admission(input: StartRunInput, runId: string): { admit: AdmitInput; user: ChatMessage } {
    const user: ChatMessage = {
      role: "user",
      content: input.message,
      timestamp: this.opts.now(),
      runId,
      ...(input.sender
        ? {
            sender: {
              channel: input.sender.channel,
              id: input.sender.id,
              ...(input.sender.name ? { name: input.sender.name } : {}),
            },
          }
        : {}),
      provenance: input.provenance ?? defaultProvenance(input.sender),
    };
    const admit: AdmitInput = {
      runId,
      sessionKey: input.sessionKey,
      ...(input.idempotencyKey !== undefined ? { idempotencyKey: input.idempotencyKey } : {}),
      message: redactDeep(user, this.redact),
      ...(input.notify ? { origin: input.notify } : {}),
    };
    return { admit, user };
  }

  /** Queues the admitted run behind its session's previous one (or answers a repeated key). */
  private launch(input: StartRunInput, user: ChatMessage, admitted: { run: LedgerRun; fresh: boolean }): StartedRun {
    if (!admitted.fresh) return this.existing(admitted.run);
    const runId = admitted.run.runId;
    const controller = new AbortController();
    const prev = this.sessionTails.get(input.sessionKey) ?? Promise.resolve();
    const record: RunRecord = {
      runId,
      sessionKey: input.sessionKey,
      status: "queued",
      controller,
      done: prev.then(() => this.execute(record, input, user)),
    };
    this.runs.set(runId, record);
    const tail = record.done.catch(() => undefined);
    this.sessionTails.set(input.sessionKey, tail);
    void tail.then(() => {
      if (this.sessionTails.get(input.sessionKey) === tail) this.sessionTails.delete(input.sessionKey);
      this.runs.delete(runId);
    });
    return { runId, status: "started", deduped: false, done: record.done };
  }

  /** Aborts the runs of a session (or one run). Returns how many were aborted. */
  abort(target: { sessionKey?: string; runId?: string }): number {
    let n = 0;
    for (const r of this.runs.values()) {
      if (
        (target.runId && r.runId === target.runId) ||
        (!target.runId && target.sessionKey && r.sessionKey === target.sessionKey)
      ) {
        if (r.status === "queued" || r.status === "started") {
          r.controller.abort(new HoldfastError("HF_RUN_ABORTED", "aborted"));
          n++;
        }
      }
    }
    return n;
  }

  /** True while a run of `sessionKey` is queued or running. */
  sessionActive(sessionKey: string): boolean {
    for (const r of this.runs.values())
      if (r.sessionKey === sessionKey && (r.status === "queued" || r.status === "started")) return true;
    return false;
  }

  /** Number of queued or running runs. */
  active(): number {
    return [...this.runs.values()].filter((r) => r.status === "queued" || r.status === "started").length;
  }

  /** Refuses new runs, waits up to `graceMs` for running ones, then aborts the rest and waits for them. */
  async shutdown(graceMs: number): Promise<void> {
    this.closing = true;
    const pending = [...this.runs.values()].map((r) => r.done.catch(() => undefined));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((r) => (timer = setTimeout(r, graceMs)));
    await Promise.race([Promise.all(pending), timeout]);
    clearTimeout(timer);
    for (const r of this.runs.values()) r.controller.abort(new HoldfastError("HF_SHUTTING_DOWN", "shutdown"));
    await Promise.all(pending);
  }

  private existing(run: LedgerRun): StartedRun {
    const live = this.runs.get(run.runId);
    if (live) return { runId: run.runId, status: live.status, deduped: true, done: live.done };
    const status: RunStatus = run.status === "accepted" || run.status === "running" ? "interrupted" : run.status;
    return {
      runId: run.runId,
      status,
      deduped: true,
      done: Promise.resolve(),
      ...(run.outcome ? { outcome: run.outcome } : {}),
    };
  }

  private async execute(record: RunRecord, input: StartRunInput, user: ChatMessage): Promise<void> {
    if (record.controller.signal.aborted) {
      record.status = "aborted";
      this.emit(record, input, 1, { type: "error", message: "run aborted", code: "HF_RUN_ABORTED" });
      this.finish(record, "aborted", { code: "HF_RUN_ABORTED", message: "run aborted" });
      return;
    }
    record.status = "started";
    let seq = 0;
    await this.opts.loop.run({
      runId: record.runId,
      agentId: input.agentId,
      sessionKey: input.sessionKey,
      message: input.message,
      user,
      signal: record.controller.signal,
      ...(input.sender ? { sender: input.sender } : {}),
      ...(input.origin ? { origin: input.origin } : {}),
      onEvent: (event) => {
        if (event.type === "final") {
          record.status = "ok";
          this.finish(record, "ok", {
            text: this.redact(event.text),
            stopReason: event.stopReason,
            ...(event.model ? { model: event.model } : {}),
          });
        }
        if (event.type === "error") {
          record.status = record.controller.signal.aborted ? "aborted" : "error";
          this.finish(record, record.status, {
            code: event.code,
            message: this.redact(event.message),
            ...(event.partialText ? { text: this.redact(event.partialText) } : {}),
          });
        }
        this.emit(record, input, ++seq, event);
      },
    });
  }

  /** Records the outcome; a failure to do so is logged (the run itself is over and was answered). */
  private finish(record: RunRecord, status: "ok" | "error" | "aborted", outcome: RunOutcome): void {
    try {
      this.opts.ledger.finish(record.runId, status, outcome);
    } catch (err) {
      this.opts.log.error({ runId: record.runId, code: (err as { code?: string }).code }, "run outcome not recorded");
    }
  }

  private emit(record: RunRecord, input: StartRunInput, seq: number, event: AgentEvent): void {
    const ev: RunEvent = { runId: record.runId, agentId: input.agentId, sessionKey: input.sessionKey, seq, event };
    for (const l of [...this.listeners, ...(input.onEvent ? [input.onEvent] : [])]) {
      try {
        l(ev);
      } catch (err) {
        this.opts.log.error({ err, runId: record.runId }, "run event listener failed");
      }
    }
  }
}
