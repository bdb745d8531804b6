import { recoverInterruptedRuns } from "../agent/index.js";
import type { HealthRegistry, StatusRegistry } from "../gateway/index.js";
import { stateFileEvents, type CorruptStateFile } from "../infra/index.js";
import type { SessionStore } from "../sessions/index.js";
import { openStateStore, type LedgerRun, type StateStore } from "../store/index.js";
import type { AppContext } from "./context.js";

/** The store stage as wired: the state database, its health, and start-up recovery. */
export interface StoreStage {
  readonly state: StateStore;
  /** WebChat runs the previous process never finished (for `hello-ok`), after {@link recover}. */
  interruptedWebChat(): readonly Record<string, unknown>[];
  /**
   * Start phase, before the gateway listens: marks runs the previous process left open as
   * interrupted (transcript mark, user message restored from the ledger).
   */
  recover(sessions: SessionStore): Promise<void>;
  /** Checkpoints and closes the database (shutdown). */
  close(): void;
}

/**
 * The state directories the gateway writes to, probed by the `storage` start precondition (the
 * store's `assertWritable`) before any stage is built.
 */
export function stateDirs(paths: AppContext["paths"]): string[] {
  return [paths.agentsDir, paths.credentialsDir, paths.devicesDir];
}

/**
 * The store stage: opens the state database (validated; a corrupt one is moved aside; legacy
 * `sessions.json` and Telegram offset files imported; orphaned transcripts re-indexed), forwards
 * corrupt JSON stores to the storage health, adds `storage` and `runs.interruptedAtStart` to the
 * status, and a `storage` health check (one `store:<name>` degradation per degraded store).
 * The state directories were probed for writes by the start preconditions just before.
 * @throws HoldfastError HF_STATE_* when the database cannot be opened or written (the gateway then
 *   exits before it listens)
 */
export async function wireStore(
  ctx: AppContext,
  gateway: { readonly status: Pick<StatusRegistry, "add">; readonly health: Pick<HealthRegistry, "add"> },
): Promise<StoreStage> {
  const { status } = gateway;
  const state = await openStateStore({
    stateDir: ctx.paths.stateDir,
    agentsDir: ctx.paths.agentsDir,
    log: ctx.log.child({ stage: "store" }),
    now: () => ctx.clock.now(),
  });
  const onCorrupt = (c: CorruptStateFile) =>
    state.db.reportCorrupt({
      file: c.file,
      ...(c.movedTo ? { movedTo: c.movedTo } : {}),
      problem: c.problem,
      fix: "the gateway started this store empty (access it granted must be granted again); inspect the moved file and delete it when done",
    });
  stateFileEvents.on("corrupt", onCorrupt);
  let interrupted: LedgerRun[] = [];
  status.add("storage", () => state.health.snapshot());
  status.add("interruptedAtStart", () => interrupted.length);
  gateway.health.add("storage", () =>
    state.health
      .snapshot()
      .degraded.map((d) => ({ component: `store:${d.store}`, code: d.code, message: d.message, sinceMs: d.since })),
  );
  return {
    state,
    interruptedWebChat: () =>
      interrupted
        .filter((r) => (r.origin as { channel?: unknown } | undefined)?.channel === "webchat")
        .map((r) => ({
          runId: r.runId,
          sessionKey: r.sessionKey,
          acceptedAt: r.acceptedAt,
          errorCode: "HF_RUN_INTERRUPTED",
          errorMessage: r.outcome?.message,
        })),
    recover: async (sessions) => {
      interrupted = await recoverInterruptedRuns({
        ledger: state.runs,
        store: sessions,
        now: () => ctx.clock.now(),
        log: ctx.log.child({ stage: "runs" }),
      });
    },
    close: () => {
      stateFileEvents.off("corrupt", onCorrupt);
      state.close();
    },
  };
}
