import type { ErrorCode, HoldfastError } from "../errors/index.js";
import type { Logger } from "../logging/index.js";
import { classifyStorageError, type StorageCause } from "./storage-error.js";

/** A storage fault currently degrading one store. Times are ms since the epoch. */
export interface StorageCondition {
  /** Store name (`state-db`, `transcripts`, `devices`, ...). */
  readonly store: string;
  readonly code: ErrorCode;
  readonly cause: StorageCause;
  /** The last error's user-facing message. */
  readonly message: string;
  readonly since: number;
  readonly lastAt: number;
  /** Failures seen since `since`. */
  readonly failures: number;
}

/** A corrupt file found on load and moved aside (reported by status and `holdfast doctor`). */
export interface CorruptionReport {
  /** The file as it was named before it was moved aside. */
  readonly file: string;
  /** Where the bad content now is (`<file>.corrupt.<ts>`), or undefined when nothing was left to move. */
  readonly movedTo?: string;
  /** What was wrong, e.g. `"not JSON: Unexpected end of JSON input"`. */
  readonly problem: string;
  /** What holdfast did and what the user can do (a command to paste). */
  readonly fix: string;
  readonly at: number;
}

/** Minimum time between two log lines for the same ongoing condition (ms). */
const REPEAT_LOG_MS = 10_000;

/**
 * Storage health of the running process: the conditions that degrade stores right now, and the
 * corrupt files found since start. Every store reports each failure ({@link fail}) and each success
 * ({@link ok}); the first failure of a condition is logged at error level, repeats at most every
 * 10 s, and the recovery once. `status` and `/health` read {@link snapshot}.
 */
export class StorageHealth {
  private readonly active = new Map<string, StorageCondition>();
  private readonly corrupt: CorruptionReport[] = [];
  private readonly lastLog = new Map<string, number>();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a failure of `store` (logged loudly, rate limited). */
  fail(store: string, err: HoldfastError): void {
    const fault = classifyStorageError(err);
    const t = this.now();
    const prev = this.active.get(store);
    const cond: StorageCondition = {
      store,
      code: fault.code,
      cause: fault.cause,
      message: err.message,
      since: prev?.since ?? t,
      lastAt: t,
      failures: (prev?.failures ?? 0) + 1,
    };
    this.active.set(store, cond);
    if (!prev || t - (this.lastLog.get(store) ?? 0) >= REPEAT_LOG_MS) {
      this.lastLog.set(store, t);
      this.log.error(
        { store, code: cond.code, cause: cond.cause, sysCode: fault.sysCode, failures: cond.failures },
        `storage degraded: ${store}: ${err.message}`,
      );
    }
    if (!prev) this.changed();
  }

  /** Records a success of `store`; clears its condition (logged once as recovered). */
  ok(store: string): void {
    const prev = this.active.get(store);
    if (!prev) return;
    this.active.delete(store);
    this.lastLog.delete(store);
    this.log.warn(
      { store, code: prev.code, failures: prev.failures, degradedMs: this.now() - prev.since },
      `storage recovered: ${store}`,
    );
    this.changed();
  }

  /** Records a corrupt file that was moved aside (logged at error level with the action). */
  corruption(report: Omit<CorruptionReport, "at">): void {
    const full: CorruptionReport = { ...report, at: this.now() };
    this.corrupt.push(full);
    if (this.corrupt.length > 100) this.corrupt.shift();
    this.log.error(
      { file: full.file, movedTo: full.movedTo, problem: full.problem, fix: full.fix },
      `corrupt state file ${full.file}: ${full.problem}; ${full.movedTo ? `moved aside to ${full.movedTo}` : "ignored"}`,
    );
    this.changed();
  }

  /** True while any store is degraded. */
  degraded(): boolean {
    return this.active.size > 0;
  }

  /** The condition of one store, if degraded. */
  condition(store: string): StorageCondition | undefined {
    return this.active.get(store);
  }

  /** Current conditions and the corrupt files found since start (for status, `/health`). */
  snapshot(): { ok: boolean; degraded: StorageCondition[]; corrupt: CorruptionReport[] } {
    return { ok: this.active.size === 0, degraded: [...this.active.values()], corrupt: [...this.corrupt] };
  }

  /** Calls `listener` whenever a condition starts or clears, or a corrupt file is reported. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of [...this.listeners]) {
      try {
        l();
      } catch (err) {
        this.log.error({ err }, "storage health listener failed");
      }
    }
  }
}
