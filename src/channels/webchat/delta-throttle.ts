import type { RunEvent } from "../../agent/index.js";

/**
 * Least time between two `delta` events of one run sent to gateway clients (ms). Reference: the
 * OpenClaw gateway sends a run's `chat` deltas at most once per 150 ms, and its `final` carries the
 * whole text.
 */
export const DELTA_INTERVAL_MS = 150;

/** Timers of {@link deltaThrottle} (the real ones by default; tests pass their own). */
export interface ThrottleTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: ThrottleTimers = {
  set: (fn, ms) => setTimeout(fn, ms).unref(),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

interface RunThrottle {
  /** When the run's last delta went out (ms, `now()`); -Infinity before the first. */
  sentAt: number;
  /** Events of the run let through so far (the `seq` of the last one). */
  sent: number;
  /** Deltas held since `sentAt`, merged into one. */
  pending: RunEvent | undefined;
  timer: unknown;
}

/**
 * Paces each run's streamed text for clients: the first `delta` goes out at once, later ones at most
 * every `intervalMs`; the deltas that arrive in between are merged into one (their `text` joined, the
 * latest `accumulated`), sent when the interval ends, or just before the run's next other event (a
 * tool step, its `final` or `error`), so the deltas a client sees still add up to the reply and keep
 * their order. `seq` is renumbered per run, leaving no gaps. A run's state is dropped at its `final`
 * or `error`. Returns the function that takes each event (after the leak guard) and calls `emit`.
 */
export function deltaThrottle(deps: {
  readonly emit: (ev: RunEvent) => void;
  readonly now: () => number;
  readonly intervalMs?: number;
  readonly timers?: ThrottleTimers;
}): (ev: RunEvent) => void {
  const interval = deps.intervalMs ?? DELTA_INTERVAL_MS;
  const timers = deps.timers ?? realTimers;
  const runs = new Map<string, RunThrottle>();
  const emit = (s: RunThrottle, ev: RunEvent) => deps.emit({ ...ev, seq: ++s.sent });
  const flush = (s: RunThrottle) => {
    if (s.timer !== undefined) timers.clear(s.timer);
    s.timer = undefined;
    if (!s.pending) return;
    const ev = s.pending;
    s.pending = undefined;
    s.sentAt = deps.now();
    emit(s, ev);
  };
  return (ev) => {
    let s = runs.get(ev.runId);
    if (!s) runs.set(ev.runId, (s = { sentAt: -Infinity, sent: 0, pending: undefined, timer: undefined }));
    const e = ev.event;
    if (e.type !== "delta") {
      flush(s);
      if (e.type === "final" || e.type === "error") runs.delete(ev.runId);
      return emit(s, ev);
    }
    const held = s.pending?.event;
    s.pending = held?.type === "delta" ? { ...ev, event: { ...e, text: held.text + e.text } } : ev;
    const wait = s.sentAt + interval - deps.now();
    if (wait <= 0) return flush(s);
    const run = s;
    if (run.timer === undefined) run.timer = timers.set(() => flush(run), wait);
  };
}
