import { randomInt } from "node:crypto";
import { HoldfastError } from "../errors/index.js";
import { cliHint, type Clock } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import type { AllowAlwaysStore } from "./store.js";
import type { ApprovalDecision, ApprovalEvent, ApprovalInput, ApprovalOutcome, ApprovalRequest } from "./types.js";

/** Default time an approval request waits before it counts as denied (ms). Source: issue "Exec". */
export const DEFAULT_APPROVAL_TIMEOUT_MS = 120_000;

const ID_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

interface Pending {
  readonly request: ApprovalRequest;
  readonly input: ApprovalInput;
  readonly settle: (o: ApprovalOutcome) => void;
}

/** Options of {@link ExecApprovals}. */
export interface ExecApprovalsOptions {
  readonly clock: Clock;
  readonly store: AllowAlwaysStore;
  readonly log: Logger;
  /** Expiry of a request (ms); expiry = deny. Default 120 000. */
  readonly timeoutMs?: number;
  readonly newId?: () => string;
}

/**
 * Pending exec approvals. A request waits until an approver resolves it (CLI, WS method, chat
 * `/approve`), it expires (deny), or the run is aborted. Each id resolves once: a second resolve, or
 * one after expiry, fails with HF_NOT_FOUND (no replay). `allow-always` lets the command run and
 * persists its exact argv patterns. Source: reference §6.6, §10.5 (single-use approvals).
 */
export class ExecApprovals {
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<(ev: ApprovalEvent) => void>();
  private readonly timeoutMs: number;

  constructor(private readonly opts: ExecApprovalsOptions) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS;
  }

  /** Subscribes to requested/resolved events. Returns the unsubscribe function. */
  onEvent(listener: (ev: ApprovalEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Pending requests, oldest first. */
  list(): ApprovalRequest[] {
    return [...this.pending.values()].map((p) => p.request).sort((a, b) => a.createdAtMs - b.createdAtMs);
  }

  /** Asks for approval and waits for the outcome (never rejects). */
  request(input: ApprovalInput, signal: AbortSignal): Promise<ApprovalOutcome> {
    const now = this.opts.clock.now();
    const { patterns: _p, ...fields } = input;
    const request: ApprovalRequest = {
      ...fields,
      id: this.newId(),
      createdAtMs: now,
      expiresAtMs: now + this.timeoutMs,
    };
    const expiry = new AbortController();
    return new Promise<ApprovalOutcome>((resolve) => {
      const settle = (o: ApprovalOutcome) => {
        if (!this.pending.delete(request.id)) return;
        expiry.abort();
        signal.removeEventListener("abort", onAbort);
        this.emit({ type: "resolved", id: request.id, decision: o.decision, ...(o.by ? { by: o.by } : {}) });
        resolve(o);
      };
      const onAbort = () => settle({ decision: "aborted" });
      this.pending.set(request.id, { request, input, settle });
      signal.addEventListener("abort", onAbort, { once: true });
      this.opts.clock.sleep(this.timeoutMs, expiry.signal).then(
        () => settle({ decision: "expired" }),
        () => undefined,
      );
      this.emit({ type: "requested", request });
      if (signal.aborted) onAbort();
    });
  }

  /**
   * Resolves a pending request.
   * @throws HoldfastError HF_NOT_FOUND (unknown, already resolved or expired id),
   *   HF_APPROVAL_REFUSED (allow-always for a request that cannot be persisted).
   */
  async resolve(id: string, decision: ApprovalDecision, by: string): Promise<ApprovalRequest> {
    const p = this.pending.get(id.trim().toLowerCase());
    if (!p)
      throw new HoldfastError(
        "HF_NOT_FOUND",
        `no pending exec approval "${id.slice(0, 32)}" (it was resolved, expired, or never existed; see: ${cliHint("approvals list")})`,
      );
    if (decision === "allow-always" && !p.request.persistable) {
      throw new HoldfastError(
        "HF_APPROVAL_REFUSED",
        `approval ${p.request.id} cannot be allowed always (the command runs inline code or another command); approve it once instead`,
      );
    }
    this.opts.log.info(
      { approvalId: p.request.id, decision, by, agentId: p.request.agentId, sessionKey: p.request.sessionKey },
      "exec approval resolved",
    );
    p.settle({ decision, by });
    if (decision === "allow-always") await this.opts.store.add(p.request.agentId, p.input.patterns);
    return p.request;
  }

  /** Denies every pending request (gateway shutdown). */
  shutdown(): void {
    for (const p of [...this.pending.values()]) p.settle({ decision: "aborted" });
  }

  private newId(): string {
    if (this.opts.newId) return this.opts.newId();
    for (;;) {
      let id = "";
      for (let i = 0; i < 8; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
      if (!this.pending.has(id)) return id;
    }
  }

  private emit(ev: ApprovalEvent): void {
    for (const l of this.listeners) {
      try {
        l(ev);
      } catch (err) {
        this.opts.log.error({ err }, "approval event listener failed");
      }
    }
  }
}
