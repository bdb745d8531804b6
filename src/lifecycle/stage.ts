import { z } from "zod";
import { defineMethod, type MethodRegistrar } from "../gateway/index.js";
import type { Clock } from "../infra/index.js";
import type { RetentionPolicy } from "./policy.js";
import { runRetention, type CleanupReport, type RetentionDeps } from "./retention.js";

/** How often the gateway runs the retention sweep (ms): every 10 minutes, and once at start. */
export const RETENTION_INTERVAL_MS = 600_000;

/** Dependencies of {@link createLifecycleStage}. */
export interface LifecycleStageDeps extends RetentionDeps {
  readonly policy: RetentionPolicy;
  readonly clock: Clock;
  /** Registers `sessions.cleanup` (omitted by CLI commands that run without a gateway). */
  readonly methods?: MethodRegistrar;
}

/** The data lifecycle: retention sweeps at start, every {@link RETENTION_INTERVAL_MS}, and on demand. */
export interface LifecycleStage {
  /** Runs one sweep now (after a sweep in progress). */
  cleanup(opts?: { readonly dryRun?: boolean }): Promise<CleanupReport>;
  /** First sweep now (in the background), then periodically. */
  start(): void;
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/**
 * Builds the lifecycle stage. Sweeps never overlap (each waits for the one before); a failed
 * background sweep is logged and retried at the next interval. Gateway method `sessions.cleanup`
 * {dryRun?} → {@link CleanupReport} (scope `operator.admin`: it removes data).
 */
export function createLifecycleStage(deps: LifecycleStageDeps): LifecycleStage {
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const cleanup = (opts: { readonly dryRun?: boolean } = {}): Promise<CleanupReport> => {
    const next = chain.then(() =>
      runRetention(deps, deps.policy, { now: deps.clock.now(), ...(opts.dryRun ? { dryRun: true } : {}) }),
    );
    chain = next.catch(() => undefined);
    return next;
  };
  const background = () =>
    void cleanup().catch((err: unknown) =>
      deps.log.warn({ err: (err as Error).message }, "retention sweep failed; retrying at the next interval"),
    );
  deps.methods?.register(
    defineMethod({
      name: "sessions.cleanup",
      scope: "operator.admin",
      params: z.looseObject({ dryRun: z.boolean().optional() }),
      handler: (p) => cleanup(p.dryRun ? { dryRun: true } : {}),
    }),
  );
  return {
    cleanup,
    start() {
      background();
      timer ??= setInterval(background, RETENTION_INTERVAL_MS);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await chain;
    },
  };
}
