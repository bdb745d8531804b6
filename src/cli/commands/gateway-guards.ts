import type { Logger } from "../../logging/index.js";
import { isStorageFault } from "../../store/index.js";

/** Exit code after a programming error reached the process-level handlers (EX_SOFTWARE). */
export const FATAL_EXIT_CODE = 70;
/** Longest wait for the flush after a fatal error before the process exits anyway (ms). */
const FATAL_STOP_MS = 5_000;

/**
 * Resolves with the first SIGINT/SIGTERM. The handlers stay installed: a second signal while the
 * gateway flushes its stores is logged and ignored (the default action would kill the process and
 * skip the flush).
 */
export function untilShutdownSignal(log: Logger): Promise<string> {
  return new Promise((resolve) => {
    let first: string | undefined;
    const on = (sig: string) => () => {
      if (first) {
        log.warn({ signal: sig }, `received ${sig} again; still flushing state, the gateway exits when done`);
        return;
      }
      first = sig;
      resolve(sig);
    };
    process.on("SIGINT", on("SIGINT"));
    process.on("SIGTERM", on("SIGTERM"));
  });
}

/**
 * Process-level `unhandledRejection` / `uncaughtException` handlers for the gateway. They exist for
 * programming errors only: one is logged at fatal level, the gateway is stopped (stores flushed, at
 * most 5 s) and the process exits 70. Storage faults are handled where they happen (catalogued
 * errors, health conditions); if one ever escapes to here it is logged as a bug and the gateway
 * keeps serving instead of dying.
 */
export function installFatalHandlers(log: Logger, stop: () => Promise<void>): void {
  let dying = false;
  const handle = (kind: string) => (err: unknown) => {
    if (isStorageFault(err)) {
      log.error({ kind, err }, "a storage fault escaped its handler (a bug); the gateway keeps serving");
      return;
    }
    log.fatal({ kind, err }, `programming error (${kind}); stopping the gateway`);
    if (dying) return;
    dying = true;
    const timer = setTimeout(() => process.exit(FATAL_EXIT_CODE), FATAL_STOP_MS);
    void stop()
      .catch(() => undefined)
      .finally(() => {
        clearTimeout(timer);
        process.exit(FATAL_EXIT_CODE);
      });
  };
  process.on("unhandledRejection", handle("unhandledRejection"));
  process.on("uncaughtException", handle("uncaughtException"));
}
