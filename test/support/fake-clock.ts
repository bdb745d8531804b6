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

/** A clock whose timers fire only when the test moves time forward. */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, firing due timers in order (letting the code under test run in between). */
  advance(ms: number): Promise<void>;
  /** Moves time to the next pending timer and fires it; false when none is pending. */
  next(): Promise<boolean>;
  /** Pending timers. */
  readonly pending: number;
  /** Every sleep requested, in ms. */
  readonly sleeps: number[];
}

/** Lets pending promise callbacks and I/O callbacks run. */
export async function flushAsync(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/** A {@link ManualClock} starting at `start` (ms since the epoch). */
export function manualClock(start = 1_800_000_000_000): ManualClock {
  let now = start;
  const sleeps: number[] = [];
  let timers: { at: number; resolve: () => void }[] = [];
  const fireDue = async (until: number) => {
    for (;;) {
      const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      timers = timers.filter((t) => t !== due);
      now = Math.max(now, due.at);
      due.resolve();
      await flushAsync();
    }
    now = Math.max(now, until);
  };
  return {
    sleeps,
    now: () => now,
    get pending() {
      return timers.length;
    },
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        sleeps.push(ms);
        const timer = {
          at: now + Math.max(0, ms),
          resolve: () => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          timers = timers.filter((t) => t !== timer);
          reject(signal?.reason);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        timers.push(timer);
      }),
    advance: async (ms) => {
      await flushAsync();
      await fireDue(now + ms);
      await flushAsync();
    },
    next: async () => {
      await flushAsync();
      const first = [...timers].sort((a, b) => a.at - b.at)[0];
      if (!first) return false;
      await fireDue(first.at);
      await flushAsync();
      return true;
    },
  };
}
