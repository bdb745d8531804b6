import type { ChildProcess } from "node:child_process";

/**
 * Gateway processes a test started and that have not exited yet. `test/support/kill-leftovers.ts`
 * (a vitest setup file) kills what is left after each test file, so a test that fails before its
 * `stop()` leaves no gateway running, holding a port and a state dir, for the rest of the run. No
 * vitest import here: the benchmarks use the same spawn helpers outside vitest.
 */
const live = new Set<ChildProcess>();

/** Registers `proc` until it exits. */
export function trackProcess(proc: ChildProcess): void {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  live.add(proc);
  proc.once("exit", () => live.delete(proc));
}

/** SIGKILLs every tracked process still running and waits (at most `waitMs`, default 5000) for each to exit. Resolves with how many there were. */
export async function killLeftovers(waitMs = 5_000): Promise<number> {
  const left = [...live];
  await Promise.all(
    left.map(
      (proc) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, waitMs);
          proc.once("exit", () => {
            clearTimeout(timer);
            resolve();
          });
          proc.kill("SIGKILL");
        }),
    ),
  );
  return left.length;
}
