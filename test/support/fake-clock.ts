import type { Clock } from "../../src/infra/index.js";

/** A clock whose `sleep` resolves at once and records the requested delays. */
export function recordingClock(start = 1_800_000_000_000): Clock & { sleeps: number[]; advance(ms: number): void } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    advance: (ms) => (now += ms),
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      now += ms;
    },
  };
}
