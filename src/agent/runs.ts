import { randomUUID } from "node:crypto";
import { HoldfastError } from "../errors/index.js";
import type { Logger } from "../logging/index.js";
import type { MessageSender, SessionOrigin } from "../sessions/index.js";
import type { AgentEvent } from "./events.js";
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
   * Same key (per session) within 10 minutes → the same run, started once. The run's id is this key
   * (reference: `runId` = `idempotencyKey`) unless another active run already has that id.
   */
  readonly idempotencyKey?: string;
  readonly sender?: AgentRunRequest["sender"] & MessageSender;
  readonly origin?: SessionOrigin;
  /** Called with this run's events (in addition to the global listeners). */
  readonly onEvent?: (ev: RunEvent) => void;
}

/** Where a run stands. */
export type RunStatus = "queued" | "started" | "ok" | "error" | "aborted";

interface RunRecord {
  readonly runId: string;
  readonly sessionKey: string;
  status: RunStatus;
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

const IDEMPOTENCY_TTL_MS = 10 * 60_000;
const IDEMPOTENCY_MAX = 5_000;

/**
 * Starts, deduplicates, serializes and aborts agent runs. Runs of one session execute one after the
 * other (so a transcript never interleaves two turns); different sessions run concurrently.
 */
export class RunManager {
  private readonly runs = new Map<string, RunRecord>();
  private readonly byIdempotency = new Map<string, { runId: string; expiresAt: number }>();
  private readonly sessionTails = new Map<string, Promise<void>>();
  private readonly listeners = new Set<(ev: RunEvent) => void>();
  private closing = false;

  constructor(
    private readonly loop: Pick<AgentLoop, "run">,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {}

  /** Adds a listener for every run's events (e.g. the gateway's `chat` broadcaster). */
  onEvent(listener: (ev: RunEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Starts (or, for a repeated idempotency key, returns) a run.
   * @returns the run id, its status and whether this call was a duplicate.
   */
  start(input: StartRunInput): { runId: string; status: RunStatus; deduped: boolean; done: Promise<void> } {
    const idemKey = input.idempotencyKey ? `${input.sessionKey}\u0000${input.idempotencyKey}` : undefined;
    const seen = idemKey ? this.lookupIdempotent(idemKey) : undefined;
    if (seen) return { runId: seen.runId, status: seen.status, deduped: true, done: seen.done };
    if (this.closing)
      throw new HoldfastError("HF_SHUTTING_DOWN", "the gateway is shutting down; retry after it restarts");
    const runId = input.idempotencyKey && !this.runs.has(input.idempotencyKey) ? input.idempotencyKey : randomUUID();
    const controller = new AbortController();
    const prev = this.sessionTails.get(input.sessionKey) ?? Promise.resolve();
    const record: RunRecord = {
      runId,
      sessionKey: input.sessionKey,
      status: "queued",
      controller,
      done: prev.then(() => this.execute(record, input)),
    };
    this.runs.set(runId, record);
    const tail = record.done.catch(() => undefined);
    this.sessionTails.set(input.sessionKey, tail);
    void tail.then(() => {
      if (this.sessionTails.get(input.sessionKey) === tail) this.sessionTails.delete(input.sessionKey);
      this.runs.delete(runId);
    });
    if (idemKey) this.remember(idemKey, runId);
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

  private async execute(record: RunRecord, input: StartRunInput): Promise<void> {
    if (record.controller.signal.aborted) {
      record.status = "aborted";
      this.emit(record, input, 1, { type: "error", message: "run aborted", code: "HF_RUN_ABORTED" });
      return;
    }
    record.status = "started";
    let seq = 0;
    await this.loop.run({
      runId: record.runId,
      agentId: input.agentId,
      sessionKey: input.sessionKey,
      message: input.message,
      signal: record.controller.signal,
      ...(input.sender ? { sender: input.sender } : {}),
      ...(input.origin ? { origin: input.origin } : {}),
      onEvent: (event) => {
        if (event.type === "final") record.status = "ok";
        if (event.type === "error") record.status = record.controller.signal.aborted ? "aborted" : "error";
        this.emit(record, input, ++seq, event);
      },
    });
  }

  private emit(record: RunRecord, input: StartRunInput, seq: number, event: AgentEvent): void {
    const ev: RunEvent = { runId: record.runId, agentId: input.agentId, sessionKey: input.sessionKey, seq, event };
    for (const l of [...this.listeners, ...(input.onEvent ? [input.onEvent] : [])]) {
      try {
        l(ev);
      } catch (err) {
        this.log.error({ err, runId: record.runId }, "run event listener failed");
      }
    }
  }

  private lookupIdempotent(key: string): { runId: string; status: RunStatus; done: Promise<void> } | undefined {
    const hit = this.byIdempotency.get(key);
    if (!hit || hit.expiresAt < this.now()) return undefined;
    const r = this.runs.get(hit.runId);
    return { runId: hit.runId, status: r?.status ?? "ok", done: r?.done ?? Promise.resolve() };
  }

  private remember(key: string, runId: string): void {
    this.byIdempotency.set(key, { runId, expiresAt: this.now() + IDEMPOTENCY_TTL_MS });
    if (this.byIdempotency.size > IDEMPOTENCY_MAX) {
      const oldest = this.byIdempotency.keys().next().value;
      if (oldest !== undefined) this.byIdempotency.delete(oldest);
    }
  }
}
